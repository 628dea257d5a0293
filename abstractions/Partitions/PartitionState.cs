namespace Hub.Partitions;

/// <summary>
/// A snapshot of one partition replica's log. <see cref="CleanedUpTo"/>: the log cleaner's point, before which a
/// compacted topic's records were compacted (the log start for other topics).
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct PartitionState(
    [property: Id(0)] long LogStartOffset,
    [property: Id(1)] long LogEndOffset,
    [property: Id(2)] long HighWatermark,
    [property: Id(3)] long SizeBytes,
    [property: Id(4)] int SegmentCount,
    [property: Id(5)] long CleanedUpTo);
