namespace Hub.Topics;

/// <summary>
/// Which brokers hold a partition's replicas, which of them leads, and which are in sync (the ISR), as the
/// cluster controller holds it. <see cref="Replicas"/>[0] is the preferred leader. <see cref="LeaderEpoch"/>
/// grows with every change of leader and is stamped on the batches that leader writes; <see cref="Version"/>
/// grows with every change at all (Kafka's partition epoch), so a leader's ISR update based on an older view
/// is refused. <see cref="Leader"/> is <see cref="NoLeader"/> while no in-sync replica is alive.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PartitionAssignment(
    [property: Id(0)] int Partition,
    [property: Id(1)] int Leader,
    [property: Id(2)] int LeaderEpoch,
    [property: Id(3)] int[] Replicas,
    [property: Id(4)] int[]? Isr = null,
    [property: Id(5)] int Version = 0)
{
    public const int NoLeader = -1;

    /// <summary>The in-sync replicas; metadata written before replication existed has none stored and means all of them.</summary>
    public int[] InSync => Isr ?? Replicas;

    public bool HasLeader => Leader != NoLeader;
}
