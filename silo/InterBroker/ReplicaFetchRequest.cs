using Hub.Partitions;

namespace Hub.Silo.InterBroker;

/// <summary>
/// A follower's fetch from its leader (Kafka's replica fetch). <see cref="FetchOffset"/> is the follower's log
/// end, which is how the leader learns how far it has replicated; <see cref="LastFetchedEpoch"/> is the leader
/// epoch of the follower's last batch, which lets the leader spot a divergent tail (KIP-320/KIP-595 style).
/// <see cref="LeaderEpoch"/> is the epoch the follower believes current: the leader refuses a mismatch.
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct ReplicaFetchRequest(
    [property: Id(0)] int ReplicaBrokerId,
    [property: Id(1)] int LeaderEpoch,
    [property: Id(2)] long FetchOffset,
    [property: Id(3)] int LastFetchedEpoch,
    [property: Id(4)] int MaxBytes,
    [property: Id(5)] int MaxWaitMs);
