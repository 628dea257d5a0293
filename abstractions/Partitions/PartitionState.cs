namespace Hub.Partitions;

/// <summary>A snapshot of one partition replica's log.</summary>
[GenerateSerializer, Immutable]
public readonly record struct PartitionState(
    [property: Id(0)] long LogStartOffset,
    [property: Id(1)] long LogEndOffset,
    [property: Id(2)] long HighWatermark,
    [property: Id(3)] long SizeBytes,
    [property: Id(4)] int SegmentCount);
