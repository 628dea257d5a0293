using Hub.Partitions;

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

    /// <summary>
    /// Which records fetches return (Kafka's isolation.level): <see cref="IsolationLevel.ReadCommitted"/> (the
    /// default, as librdkafka's) stops at the last stable offset, so records of transactions still open or aborted
    /// never reach the application; <see cref="IsolationLevel.ReadUncommitted"/> reads up to the high watermark.
    /// <see cref="OffsetSpec.Latest"/> is resolved at the same level. Hub has no transactions yet: both read the same.
    /// </summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadCommitted;

    /// <summary>
    /// How long the records handed out stay valid. <see cref="RecordLifetime.Unbounded"/> (the default): as long as
    /// the application keeps them. <see cref="RecordLifetime.UntilNextBatch"/>: <b>only until the consume loop asks
    /// for its next item</b>, after which their bytes are reused by later fetches; the consumer then allocates
    /// nothing per record. Read the rule on <see cref="RecordLifetime.UntilNextBatch"/> before choosing it.
    /// </summary>
    public RecordLifetime RecordLifetime { get; set; } = RecordLifetime.Unbounded;

    /// <summary>A checked copy, so later changes by the caller don't reach a running consumer.</summary>
    internal ConsumerOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxWaitMs);
        ArgumentOutOfRangeException.ThrowIfNegative(MinBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPartitionFetchBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PrefetchBatches);
        if (!Enum.IsDefined(IsolationLevel)) throw new ArgumentOutOfRangeException(nameof(IsolationLevel), IsolationLevel, "not an isolation level");
        if (!Enum.IsDefined(RecordLifetime)) throw new ArgumentOutOfRangeException(nameof(RecordLifetime), RecordLifetime, "not a record lifetime");
        return new ConsumerOptions
        {
            MaxWaitMs = MaxWaitMs,
            MinBytes = MinBytes,
            MaxPartitionFetchBytes = MaxPartitionFetchBytes,
            PrefetchBatches = PrefetchBatches,
            IsolationLevel = IsolationLevel,
            RecordLifetime = RecordLifetime,
        };
    }
}
