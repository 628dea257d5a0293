namespace Hub.Silo.InterBroker;

/// <summary>
/// The transaction coordinator of one transactional id (the grain's key): Kafka's InitProducerId, AddPartitionsToTxn,
/// AddOffsetsToTxn and EndTxn, as the Kafka front door calls them. Failures are <see cref="Errors.HubException"/>s with
/// Kafka's error codes.
/// </summary>
internal interface ITransactionCoordinatorGrain : IGrainWithStringKey
{
    /// <param name="expectedProducerId">KIP-360: the id a re-initializing producer held (-1: none).</param>
    Task<(long ProducerId, short Epoch)> InitProducerId(int timeoutMs, long expectedProducerId, short expectedEpoch);

    Task AddPartitions(long producerId, short epoch, Hub.Groups.TopicPartition[] partitions);

    Task AddOffsets(long producerId, short epoch, string groupId);

    /// <summary>Commits or aborts: answered once the decision is durable and, within a few seconds, its markers written.</summary>
    Task EndTransaction(long producerId, short epoch, bool commit);

    /// <summary>Aborts an ongoing transaction past its timeout, and resumes writing the markers of a prepared one (after a crash).</summary>
    Task CheckTimeout();
}
