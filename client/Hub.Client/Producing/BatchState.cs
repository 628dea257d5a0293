namespace Hub.Client.Producing;

/// <summary>Where a <see cref="ProducerBatch"/> stands on its way out.</summary>
internal enum BatchState
{
    /// <summary>Filling, or closed and waiting for a send slot.</summary>
    Queued,

    /// <summary>A send is under way.</summary>
    Sending,

    /// <summary>A send failed in a way worth another try; it goes again once it is the partition's oldest unfinished batch.</summary>
    AwaitingRetry,

    /// <summary>Stored or failed, its outcome not yet reported: reports go out in the partition's order.</summary>
    Done,
}
