namespace Hub.Topics;

/// <summary>Which brokers hold a partition's replicas and which of them leads.</summary>
[GenerateSerializer, Immutable]
public sealed record PartitionAssignment(
    [property: Id(0)] int Partition,
    [property: Id(1)] int Leader,
    [property: Id(2)] int LeaderEpoch,
    [property: Id(3)] int[] Replicas);
