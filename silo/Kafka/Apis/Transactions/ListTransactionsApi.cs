using Hub.Grains;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Transactions;
using Hub.Transactions;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// ListTransactions (key 66) v0-v1 onto <see cref="ITransactionDirectoryGrain.ListTransactions"/>: every transactional
/// id ever initialized with its producer id and state, filtered by state, producer id and (v1, KIP-994) the time it has
/// been running (<see cref="TransactionListFilter"/>). Ids the principal may not DESCRIBE are left out, as in Kafka.
/// Every broker coordinates every id here (see FindCoordinator), so each lists them all. v2's id pattern is not offered.
/// </summary>
internal sealed class ListTransactionsApi(IGrainFactory grains, KafkaAuthorizer authorizer, TimeProvider time)
    : KafkaApi(ApiKey.ListTransactions, minVersion: 0, maxVersion: 1, firstFlexibleVersion: 0)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var states = new List<string>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--) states.Add(reader.ReadString());
        var producerIds = new List<long>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--) producerIds.Add(reader.ReadInt64());
        var minDurationMs = request.Version >= 1 ? reader.ReadInt64() : TransactionListFilter.NoDuration;
        reader.SkipTaggedFields();

        var filter = new TransactionListFilter(states, producerIds, minDurationMs, time);
        var error = ErrorCode.None;
        var listed = new List<TransactionDescription>();
        try
        {
            foreach (var transaction in await grains.GetGrain<ITransactionDirectoryGrain>(0).ListTransactions())
            {
                if (filter.Matches(transaction) && await authorizer.AllowsTransactionalIdAsync(request.Session, AclOperation.Describe, transaction.TransactionalId))
                    listed.Add(transaction);
            }
        }
        catch (Exception e)
        {
            error = KafkaErrors.CodeOf(e);
            listed.Clear();
        }

        response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteArrayLength(filter.UnknownStates.Count);
        foreach (var state in filter.UnknownStates) response.WriteString(state);
        response.WriteArrayLength(listed.Count);
        foreach (var transaction in listed)
        {
            response.WriteString(transaction.TransactionalId);
            response.WriteInt64(transaction.ProducerId);
            response.WriteString(transaction.State.ToString());
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }
}
