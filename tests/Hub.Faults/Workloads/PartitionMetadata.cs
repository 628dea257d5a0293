namespace Hub.Faults.Workloads;

/// <summary>A partition as a Metadata answer describes it (Kafka's error code 0 when it has a leader).</summary>
public sealed record PartitionMetadata(int Partition, short Error, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);
