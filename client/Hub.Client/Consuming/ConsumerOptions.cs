namespace Hub.Client;

/// <summary>Consumer settings, named after their Kafka counterparts (fetch.max.wait.ms, fetch.min.bytes, ...).</summary>
public sealed class ConsumerOptions
{
    /// <summary>How long a fetch waits at the partition for <see cref="MinBytes"/> to arrive (fetch.max.wait.ms).</summary>
    public int MaxWaitMs { get; set; } = 500;

    /// <summary>Bytes a fetch waits for before answering early (fetch.min.bytes).</summary>
    public int MinBytes { get; set; } = 1;

    /// <summary>Most bytes one fetch returns per partition, unless its first batch alone is larger (max.partition.fetch.bytes).</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Batches fetched ahead per partition. Fetching pauses while this many wait to be consumed, so a slow
    /// reader holds memory at about PrefetchBatches × batch size per partition; a compressed batch is held
    /// decompressed, up to 64 MiB (RecordBatchCompression.MaxDecompressedBytes) each.
    /// </summary>
    public int PrefetchBatches { get; set; } = 4;

    /// <summary>A checked copy, so later changes by the caller don't reach a running consumer.</summary>
    internal ConsumerOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxWaitMs);
        ArgumentOutOfRangeException.ThrowIfNegative(MinBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPartitionFetchBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PrefetchBatches);
        return new ConsumerOptions
        {
            MaxWaitMs = MaxWaitMs,
            MinBytes = MinBytes,
            MaxPartitionFetchBytes = MaxPartitionFetchBytes,
            PrefetchBatches = PrefetchBatches,
        };
    }
}
