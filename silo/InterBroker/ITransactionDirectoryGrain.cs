namespace Hub.Silo.InterBroker;

/// <summary>
/// Which transactional ids have (or recently had) a transaction open (key 0), durably: what the timeout sweep visits.
/// An id is added before its transaction starts and removed by the sweep once it has been idle a while.
/// </summary>
internal interface ITransactionDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Completes once the id is stored as open: a transaction starts only after.</summary>
    Task MarkOpen(string transactionalId);

    Task MarkClosed(string transactionalId);

    /// <summary>Asks every open id's coordinator to check its timeout (and finish a prepared transaction).</summary>
    Task Sweep();
}
