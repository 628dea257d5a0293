namespace Hub.Partitions;

/// <summary>
/// Record batches in Kafka's v2 format exactly as stored, plus the partition's bounds at the time of the read.
/// <see cref="Records"/> is owned by whoever receives the result (the partition grain reads every fetch into a
/// rented buffer and gives it up): dispose it once done with the bytes, or leave it to the garbage collector where
/// the bytes may outlive any known point (the SDK consumer hands slices of them to the application).
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct FetchResult(
    [property: Id(0)] PooledBatches Records,
    [property: Id(1)] long HighWatermark,
    [property: Id(2)] long LogStartOffset)
{
    /// <summary>The first offset of the oldest transaction still open here (or of one whose marker is not yet replicated), else the high watermark.</summary>
    [Id(3)] public long LastStableOffset { get; init; } = HighWatermark;

    /// <summary>At read_committed, the aborted transactions overlapping <see cref="Records"/>; empty otherwise.</summary>
    [Id(4)] public AbortedTransaction[] AbortedTransactions { get; init; } = [];
}
