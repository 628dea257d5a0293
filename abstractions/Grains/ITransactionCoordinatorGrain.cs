using Hub.Groups;

namespace Hub.Grains;

/// <summary>
/// The transaction coordinator of one transactional id (the grain's key): Kafka's InitProducerId, AddPartitionsToTxn,
/// AddOffsetsToTxn with TxnOffsetCommit, and EndTxn, as the Kafka front door and the SDK's transactional producer call
/// them. Every call needs WRITE on the transactional id. Failures are <see cref="Errors.HubException"/>s with Kafka's
/// error codes: CONCURRENT_TRANSACTIONS and COORDINATOR_NOT_AVAILABLE are worth retrying; PRODUCER_FENCED and
/// INVALID_PRODUCER_EPOCH mean a newer producer with the same id took over.
/// </summary>
public interface ITransactionCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>The id's producer id and a new epoch, fencing every earlier producer of the id; aborts a transaction it left open.</summary>
    /// <param name="expectedProducerId">KIP-360: the id a re-initializing producer held (-1: none).</param>
    Task<(long ProducerId, short Epoch)> InitProducerId(int timeoutMs, long expectedProducerId, short expectedEpoch);

    /// <summary>Adds partitions to the transaction (opening it), before the producer writes to them.</summary>
    Task AddPartitions(long producerId, short epoch, TopicPartition[] partitions);

    /// <summary>Adds a consumer group to the transaction: its offsets committed in the transaction become visible when it commits.</summary>
    Task AddOffsets(long producerId, short epoch, string groupId);

    /// <summary>
    /// AddOffsets and the group's transactional commit in one call (Kafka's SendOffsetsToTransaction): the offsets are
    /// stored as pending in <paramref name="groupId"/> and become its committed offsets when the transaction commits.
    /// A request naming a member and generation is checked as a commit is (KIP-447).
    /// </summary>
    Task SendOffsets(long producerId, short epoch, string groupId, OffsetCommitRequest offsets);

    /// <summary>Commits or aborts: answered once the decision is durable and, within a few seconds, its markers written.</summary>
    Task EndTransaction(long producerId, short epoch, bool commit);
}
