using Hub.Transactions;

namespace Hub.Grains;

/// <summary>
/// Every transactional id ever initialized (key 0, durable), for Kafka's ListTransactions and DescribeTransactions and
/// the SDK's <c>HubTransactions</c>. Failures are <see cref="Errors.HubException"/>s with Kafka's error codes.
/// </summary>
public interface ITransactionDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Each initialized transactional id as its coordinator holds it now, by id.</summary>
    Task<TransactionDescription[]> ListTransactions();

    /// <summary>The id as its coordinator holds it; TRANSACTIONAL_ID_NOT_FOUND for an id never initialized.</summary>
    Task<TransactionDescription> DescribeTransaction(string transactionalId);
}
