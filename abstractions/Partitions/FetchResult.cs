namespace Hub.Partitions;

/// <summary>
/// Record batches in Kafka's v2 format exactly as stored, plus the partition's bounds at the time of the read.
/// [Immutable], so Orleans hands <see cref="Records"/> over without copying it: whoever returns a result gives
/// up the buffer (the partition grain reads every fetch into a fresh one).
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct FetchResult(
    [property: Id(0)] ReadOnlyMemory<byte> Records,
    [property: Id(1)] long HighWatermark,
    [property: Id(2)] long LogStartOffset);
