using Hub.Grains;

namespace Hub.Silo.InterBroker;

/// <summary>
/// The transaction directory's silo-only side (key 0), durable: coordinators register each transactional id once, at
/// its first InitProducerId, and mark which have (or recently had) a transaction open, for the timeout sweep. An id is
/// marked open before its transaction starts and closed by the sweep once it has been idle a while.
/// </summary>
internal interface IInterBrokerTransactionDirectoryGrain : ITransactionDirectoryGrain
{
    /// <summary>Completes once the id is stored as known: its coordinator stores it as initialized only after.</summary>
    Task Register(string transactionalId);

    /// <summary>Completes once the id is stored as open: a transaction starts only after.</summary>
    Task MarkOpen(string transactionalId);

    Task MarkClosed(string transactionalId);

    /// <summary>Asks every open id's coordinator to check its timeout (and finish a prepared transaction).</summary>
    Task Sweep();
}
