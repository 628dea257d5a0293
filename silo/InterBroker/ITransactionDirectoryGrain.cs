namespace Hub.Silo.InterBroker;

/// <summary>Which transactional ids have a transaction open (key 0), durably: what the timeout sweep visits.</summary>
internal interface ITransactionDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Completes once the id is stored as open: a transaction starts only after.</summary>
    Task MarkOpen(string transactionalId);

    Task MarkClosed(string transactionalId);

    /// <summary>Asks every open id's coordinator to check its timeout (and finish a prepared transaction).</summary>
    Task Sweep();
}
