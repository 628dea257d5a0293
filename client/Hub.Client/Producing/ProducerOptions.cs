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

    /// <summary>
    /// Most unacknowledged batches per partition an idempotent producer may have (Kafka's limit for
    /// max.in.flight.requests.per.connection with idempotence): a partition remembers the last five batches of
    /// each producer, so a retry of any batch still in flight is recognised as a duplicate.
    /// </summary>
    public const int MaxIdempotentInFlight = 5;

    private bool? _enableIdempotence;

    /// <summary>How long a batch waits for more records before it is sent (linger.ms).</summary>
    public int LingerMs { get; set; } = 5;

    /// <summary>
    /// A partition's batch is sent once this full (batch.size). Values above <see cref="MaxBatchSizeBytes"/> are
    /// capped; values below one record's size give one record per batch.
    /// </summary>
    public int BatchSizeBytes { get; set; } = 512 * 1024;

    /// <summary>
    /// Unacknowledged batches per partition (max.in.flight.requests.per.connection); while that many are in
    /// flight the next one keeps filling. A failed batch is retried before any later one is sent again, so
    /// records stay in order; without idempotence a retry after a lost answer may store a batch twice.
    /// </summary>
    public int MaxInFlightPerPartition { get; set; } = MaxIdempotentInFlight;

    public Acks Acks { get; set; } = Acks.All;

    /// <summary>
    /// Idempotence (enable.idempotence, on by default as in Kafka): batches carry a producer id and per-partition
    /// sequence numbers, so a retried batch is stored once and never ahead of an earlier one. Needs
    /// <see cref="Acks.All"/> and at most <see cref="MaxIdempotentInFlight"/> batches in flight: setting it
    /// true with other values throws; left unset, it is off with them.
    /// </summary>
    public bool EnableIdempotence
    {
        get => _enableIdempotence ?? true;
        set => _enableIdempotence = value;
    }

    public NullKeyPartitioning NullKeyPartitioning { get; set; } = NullKeyPartitioning.Sticky;

    /// <summary>
    /// The codec of each batch's records (compression.type; none by default, as in Kafka). Batches fill up to
    /// <see cref="BatchSizeBytes"/> before compression. A topic whose compression.type names another codec is
    /// stored recompressed by its leader.
    /// </summary>
    public CompressionType CompressionType { get; set; } = CompressionType.None;

    /// <summary>Bytes buffered or in flight before producing waits for acknowledgements (buffer.memory).</summary>
    public long BufferMemoryBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Makes the producer transactional (transactional.id): records are written in transactions that commit or abort
    /// as a whole (see <see cref="HubProducer.InitTransactionsAsync"/>), the id fences earlier producers with the same id,
    /// and read_committed consumers see only committed records. Needs idempotence, so <see cref="Acks.All"/>.
    /// </summary>
    public string? TransactionalId { get; set; }

    /// <summary>
    /// How long a transaction may stay open before its coordinator aborts it, fencing this producer
    /// (transaction.timeout.ms; Kafka's default).
    /// </summary>
    public int TransactionTimeoutMs { get; set; } = 60_000;

    /// <summary>A checked copy, so later changes by the caller don't reach a running producer.</summary>
    internal ProducerOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(LingerMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSizeBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightPerPartition, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BufferMemoryBytes);
        if (!Enum.IsDefined(Acks)) throw new ArgumentOutOfRangeException(nameof(Acks), Acks, "not an Acks value");
        if (!Enum.IsDefined(CompressionType))
            throw new ArgumentOutOfRangeException(nameof(CompressionType), CompressionType, "not a CompressionType value");
        if (!Enum.IsDefined(NullKeyPartitioning))
            throw new ArgumentOutOfRangeException(nameof(NullKeyPartitioning), NullKeyPartitioning, "not a NullKeyPartitioning value");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TransactionTimeoutMs);
        if (TransactionalId is { Length: 0 }) throw new ArgumentException("a transactional id can't be empty", nameof(TransactionalId));
        if (TransactionalId is not null && _enableIdempotence == false)
            throw new ArgumentException("a transactional producer is idempotent: EnableIdempotence can't be false with a TransactionalId", nameof(EnableIdempotence));
        var idempotent = _enableIdempotence ?? (TransactionalId is not null || (Acks == Acks.All && MaxInFlightPerPartition <= MaxIdempotentInFlight));
        if (idempotent && Acks != Acks.All)
            throw new ArgumentException($"idempotence needs Acks.All, not Acks.{Acks}", nameof(Acks));
        if (idempotent && MaxInFlightPerPartition > MaxIdempotentInFlight)
            throw new ArgumentOutOfRangeException(nameof(MaxInFlightPerPartition), MaxInFlightPerPartition,
                $"idempotence allows at most {MaxIdempotentInFlight} batches in flight per partition");
        return new ProducerOptions
        {
            LingerMs = LingerMs,
            EnableIdempotence = idempotent,
            BatchSizeBytes = Math.Clamp(BatchSizeBytes, RecordBatchLayout.HeaderSize, MaxBatchSizeBytes),
            MaxInFlightPerPartition = MaxInFlightPerPartition,
            Acks = Acks,
            NullKeyPartitioning = NullKeyPartitioning,
            CompressionType = CompressionType,
            BufferMemoryBytes = BufferMemoryBytes,
            TransactionalId = TransactionalId,
            TransactionTimeoutMs = TransactionTimeoutMs,
        };
    }
}
