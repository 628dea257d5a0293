using Hub.Batches;
using Hub.Grains;
using Hub.Topics;
using Orleans.Concurrency;

namespace Hub.Silo.InterBroker;

/// <summary>
/// What brokers ask of a partition replica, beside what clients may (<see cref="IPartitionGrain"/>): a follower's
/// fetch, the controller's assignments and log deletion. Silo-only: no client compiles against these calls,
/// and <see cref="InterBrokerCallFilter"/> refuses them to a client that calls them anyway.
/// </summary>
internal interface IInterBrokerPartitionGrain : IPartitionGrain
{
    /// <summary>A follower's fetch; long-polls like <see cref="IPartitionGrain.Fetch"/> but reads up to the log end.</summary>
    Task<ReplicaFetchResult> ReplicaFetch(ReplicaFetchRequest request);

    /// <summary>
    /// The leader's answer to a Kafka consumer validating its position after a leader change (OffsetForLeaderEpoch):
    /// where <paramref name="leaderEpoch"/> ends in this log. <paramref name="currentLeaderEpoch"/> is checked as
    /// <see cref="Hub.Partitions.FetchRequest.CurrentLeaderEpoch"/> is.
    /// </summary>
    Task<EpochEndOffset> EndOffsetForEpoch(int leaderEpoch, int currentLeaderEpoch);

    /// <summary>
    /// The controller's word on who leads and who is in sync (Kafka's LeaderAndIsr request); activates the
    /// replica if needed. Ignored when older than what the replica already knows.
    /// </summary>
    [OneWay]
    Task ApplyAssignment(PartitionAssignment assignment);

    /// <summary>
    /// The controller's word that the topic's configs changed (<paramref name="version"/>: the topic's
    /// <see cref="TopicMetadata.ConfigVersion"/>); applied at once, ignored when not newer than what the replica holds.
    /// </summary>
    [OneWay]
    Task ApplyConfig(TopicConfig config, int version);

    /// <summary>
    /// The transaction coordinator's step of ending a transaction (Kafka's WriteTxnMarkers): the leader appends the
    /// marker as an acks=all write; done once every in-sync replica has it.
    /// </summary>
    Task WriteTxnMarker(long producerId, short producerEpoch, TransactionResult result, int coordinatorEpoch);

    /// <summary>Removes the replica's files; used when its topic is deleted.</summary>
    Task DeleteLog();
}
