using Hub.Batches;

namespace Hub.Client;

/// <summary>Producer settings, named after their Kafka counterparts (linger.ms, batch.size, ...).</summary>
public sealed class ProducerOptions
{
    /// <summary>
    /// Largest batch: one Append grain call carries one batch, and Orleans messages, like Kafka's default
    /// max.message.bytes, are best kept around a megabyte.
    /// </summary>
    public const int MaxBatchSizeBytes = 1024 * 1024;

    /// <summary>How long a batch waits for more records before it is sent (linger.ms).</summary>
    public int LingerMs { get; set; } = 5;

    /// <summary>
    /// A partition's batch is sent once this full (batch.size). Values above <see cref="MaxBatchSizeBytes"/> are
    /// capped; values below one record's size give one record per batch.
    /// </summary>
    public int BatchSizeBytes { get; set; } = 512 * 1024;

    /// <summary>
    /// Unacknowledged batches per partition. 1 keeps records in order even when a send fails; while a batch
    /// is in flight the next one keeps filling.
    /// </summary>
    public int MaxInFlightPerPartition { get; set; } = 1;

    public Acks Acks { get; set; } = Acks.All;

    public NullKeyPartitioning NullKeyPartitioning { get; set; } = NullKeyPartitioning.Sticky;

    /// <summary>Bytes buffered or in flight before producing waits for acknowledgements (buffer.memory).</summary>
    public long BufferMemoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A checked copy, so later changes by the caller don't reach a running producer.</summary>
    internal ProducerOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(LingerMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSizeBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightPerPartition, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BufferMemoryBytes);
        if (!Enum.IsDefined(Acks)) throw new ArgumentOutOfRangeException(nameof(Acks), Acks, "not an Acks value");
        if (!Enum.IsDefined(NullKeyPartitioning))
            throw new ArgumentOutOfRangeException(nameof(NullKeyPartitioning), NullKeyPartitioning, "not a NullKeyPartitioning value");
        return new ProducerOptions
        {
            LingerMs = LingerMs,
            BatchSizeBytes = Math.Clamp(BatchSizeBytes, RecordBatchLayout.HeaderSize, MaxBatchSizeBytes),
            MaxInFlightPerPartition = MaxInFlightPerPartition,
            Acks = Acks,
            NullKeyPartitioning = NullKeyPartitioning,
            BufferMemoryBytes = BufferMemoryBytes,
        };
    }
}
