using Hub.Grains;
using Hub.Groups;

namespace Hub.Silo.InterBroker;

/// <summary>A consumer group's silo-only side: housekeeping the group directory calls.</summary>
internal interface IInterBrokerGroupGrain : IConsumerGroupGrain
{
    /// <summary>
    /// Housekeeping, called periodically: drops offsets of an empty group older than the offsets retention
    /// (counted from the later of the commit and the moment the group became empty), and the group itself once
    /// it is empty with no offsets left.
    /// </summary>
    Task ExpireOffsets();

    /// <summary>
    /// TxnOffsetCommit: the offsets are stored as pending for <paramref name="producerId"/>'s transaction, checked as a
    /// commit is, and become the group's committed offsets only when the transaction commits (<see cref="CompleteTransaction"/>).
    /// </summary>
    Task CommitTransactionalOffsets(long producerId, OffsetCommitRequest request);

    /// <summary>Which of <paramref name="partitions"/> have offsets pending in a transaction not yet ended (OffsetFetch's require_stable).</summary>
    Task<TopicPartition[]> PendingTransactionalOffsets(TopicPartition[] partitions);

    /// <summary>The coordinator's marker for the group: the producer's pending offsets are committed or dropped.</summary>
    Task CompleteTransaction(long producerId, bool commit);
}
