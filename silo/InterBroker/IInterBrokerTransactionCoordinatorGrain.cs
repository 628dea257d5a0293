using Hub.Grains;

namespace Hub.Silo.InterBroker;

/// <summary>A transaction coordinator's silo-only side: what the transaction directory and the admin APIs ask of it.</summary>
internal interface IInterBrokerTransactionCoordinatorGrain : ITransactionCoordinatorGrain
{
    /// <summary>The id's producer and current transaction as stored; TRANSACTIONAL_ID_NOT_FOUND before its first InitProducerId.</summary>
    Task<Hub.Transactions.TransactionDescription> Describe();

    /// <summary>Aborts an ongoing transaction past its timeout, and resumes writing the markers of a prepared one (after a crash).</summary>
    Task CheckTimeout();
}
