using Hub.Batches;
using Hub.Errors;
using Hub.Transactions;

namespace Hub.Silo.Log;

/// <summary>
/// Kafka's idempotent-producer check for one partition: per producer id, the epoch and the last
/// <see cref="CachedBatches"/> batches' sequence ranges and offsets. A batch that repeats one of those (a
/// producer retrying after a lost response) is answered with the offsets it got the first time and not
/// stored again; a batch whose first sequence doesn't follow the producer's last one is OUT_OF_ORDER_SEQUENCE_NUMBER;
/// an older epoch is INVALID_PRODUCER_EPOCH (a fenced, zombie producer). Batches without a producer id (the Hub
/// SDK's, non-idempotent Kafka producers') pass untouched.
/// <para>
/// A producer idle for the expiration time (Kafka's producer.id.expiration.ms) is dropped by
/// <see cref="RemoveExpired"/>, as Kafka's broker drops it, so the table does not grow with every producer id a
/// partition ever saw. Idleness is measured from the broker's clock at append, not from the batches' timestamps
/// as in Kafka: producers set those, and one replaying old data would lose its state at once.
/// </para>
/// <para>
/// Transactions: a transactional batch opens its producer's transaction here (its first offset) unless one is open; the
/// marker that ends it (<see cref="CompleteTransaction"/>) closes it. The oldest open one bounds the last stable offset
/// (<see cref="FirstUnstableOffset"/>), and a producer with one open never expires.
/// </para>
/// <para>
/// Held in memory; <see cref="SegmentLog"/> restores it on open from a snapshot (<see cref="ProducerStateSnapshot"/>)
/// and the batches after it. Not thread-safe: the log calls it inside its synchronous appends.
/// </para>
/// </summary>
internal sealed class ProducerStateTable(TimeSpan expiration)
{
    /// <summary>Kafka keeps five: a producer has at most five requests in flight per partition with idempotence.</summary>
    public const int CachedBatches = 5;

    /// <summary>Kafka's broker default for producer.id.expiration.ms: long enough for a producer's retries and restarts.</summary>
    public static readonly TimeSpan DefaultExpiration = TimeSpan.FromDays(1);

    private readonly long _expirationMs = (long)expiration.TotalMilliseconds;
    private readonly Dictionary<long, Producer> _producers = [];

    /// <summary>The open transactions by first offset, for the oldest one.</summary>
    private readonly SortedSet<(long FirstOffset, long ProducerId)> _openTransactions = [];

    private sealed class Producer(short epoch)
    {
        public short Epoch { get; set; } = epoch;
        public Queue<ProducerBatch> Batches { get; } = new(CachedBatches);

        /// <summary>The newest batch's last sequence, kept here because a queue has no cheap last element.</summary>
        public int LastSequence { get; private set; } = -1;

        /// <summary>The newest batch's last offset; -1 before any.</summary>
        public long LastOffset { get; private set; } = -1;

        public long LastAppendMs { get; set; }

        /// <summary>First offset of the transaction open here; -1 for none.</summary>
        public long TransactionFirstOffset { get; set; } = -1;

        /// <summary>A new epoch: the sequences start over.</summary>
        public void StartEpoch(short epoch)
        {
            Epoch = epoch;
            Batches.Clear();
            LastSequence = -1;
        }

        public void Add(ProducerBatch batch)
        {
            if (Batches.Count == CachedBatches) Batches.Dequeue();
            Batches.Enqueue(batch);
            LastSequence = batch.LastSequence;
            LastOffset = batch.LastOffset;
        }
    }

    /// <summary>Sequences of batches earlier in the append being checked, so several batches of one producer chain up; reused.</summary>
    private readonly Dictionary<long, (short Epoch, int LastSequence)> _pending = [];

    public int ProducerCount => _producers.Count;

    /// <summary>Each producer's last offset, by producer id: the batches the cleaner keeps for their sequence (see <see cref="Hub.Silo.Cleaner.CompactionRules"/>).</summary>
    public Dictionary<long, long> LastOffsets() => _producers.ToDictionary(p => p.Key, p => p.Value.LastOffset);

    /// <summary>
    /// Checks every batch of an append against the table; returns the earlier offsets when the whole append is
    /// one batch already stored, null when it should be appended. Throws <see cref="HubException"/> for a
    /// sequence gap or a fenced epoch.
    /// </summary>
    public (long BaseOffset, long LastOffset)? Check(ValidatedBatches append)
    {
        _pending.Clear();
        var batches = append.Batches;
        for (var index = 0; index < batches.Length; index++)
        {
            ref readonly var header = ref batches[index].Header;
            if (header.ProducerId < 0) continue;
            if (header.BaseSequence < 0)
                throw new HubException(ErrorCode.InvalidRecord, $"batch of producer {header.ProducerId} has no sequence number");
            var lastSequence = Increment(header.BaseSequence, header.LastOffsetDelta);
            if (_pending.TryGetValue(header.ProducerId, out var earlier))
            {
                CheckNext(header, earlier.Epoch, earlier.LastSequence);
            }
            else if (_producers.TryGetValue(header.ProducerId, out var producer))
            {
                if (header.ProducerEpoch == producer.Epoch)
                {
                    foreach (var cached in producer.Batches)
                    {
                        if (cached.FirstSequence != header.BaseSequence || cached.LastSequence != lastSequence) continue;
                        if (header.IsTransactional && !InOpenTransaction(producer, cached))
                            throw new HubException(ErrorCode.OutOfOrderSequenceNumber,
                                $"producer {header.ProducerId} epoch {header.ProducerEpoch} sent sequences {cached.FirstSequence}-{cached.LastSequence} again, "
                                + $"which a transaction ended since holds at offset {cached.BaseOffset}: not a retry of this transaction's batch");
                        if (batches.Length > 1)
                            throw new HubException(ErrorCode.DuplicateSequenceNumber,
                                $"batch {index} repeats sequences {cached.FirstSequence}-{cached.LastSequence} of producer {header.ProducerId} among other batches");
                        return (cached.BaseOffset, cached.LastOffset);
                    }
                }
                CheckNext(header, producer.Epoch, producer.LastSequence);
            }
            _pending[header.ProducerId] = (header.ProducerEpoch, lastSequence);
        }
        return null;
    }

    /// <summary>
    /// Whether <paramref name="cached"/> belongs to the transaction open for <paramref name="producer"/>: only a batch of it
    /// can be retried. One stored in a transaction ended since (fault run seed 653874934: its produce answer was lost,
    /// the producer aborted, and librdkafka gave the next transaction's batch the same sequence, as it does for a
    /// batch it purged at an abort) is not: answering its sequences as a duplicate would drop a record of a
    /// transaction that then commits.
    /// </summary>
    private static bool InOpenTransaction(Producer producer, ProducerBatch cached) =>
        producer.TransactionFirstOffset >= 0 && cached.BaseOffset >= producer.TransactionFirstOffset;

    /// <summary>
    /// Remembers one stored batch, by its header (its base offset as stored), appended at <paramref name="appendMs"/>.
    /// Control batches are left to <see cref="CompleteTransaction"/>.
    /// </summary>
    public void Record(in RecordBatchHeader header, long appendMs)
    {
        if (header.ProducerId < 0 || header.IsControl) return;
        var producer = ProducerAt(header.ProducerId, header.ProducerEpoch);
        if (producer.Epoch != header.ProducerEpoch) producer.StartEpoch(header.ProducerEpoch);
        producer.Add(new ProducerBatch(header.BaseSequence, Increment(header.BaseSequence, header.LastOffsetDelta), header.BaseOffset, header.LastOffset));
        producer.LastAppendMs = Math.Max(producer.LastAppendMs, appendMs);
        if (header.IsTransactional && producer.TransactionFirstOffset < 0)
        {
            producer.TransactionFirstOffset = header.BaseOffset;
            _openTransactions.Add((header.BaseOffset, header.ProducerId));
        }
    }

    /// <summary>
    /// Notes a stored transaction marker: it ends its producer's open transaction, and its epoch becomes the producer's
    /// (a coordinator that aborts on a timeout bumps it). Returns the transaction's first offset, -1 when none was open.
    /// </summary>
    public long CompleteTransaction(in RecordBatchHeader marker, long appendMs)
    {
        var producer = ProducerAt(marker.ProducerId, marker.ProducerEpoch);
        if (marker.ProducerEpoch > producer.Epoch) producer.StartEpoch(marker.ProducerEpoch);
        producer.LastAppendMs = Math.Max(producer.LastAppendMs, appendMs);
        var first = producer.TransactionFirstOffset;
        if (first >= 0) _openTransactions.Remove((first, marker.ProducerId));
        producer.TransactionFirstOffset = -1;
        return first;
    }

    /// <summary>
    /// Refuses a marker from an epoch older than its producer's (INVALID_PRODUCER_EPOCH): a coordinator fenced since.
    /// </summary>
    public void CheckMarker(long producerId, short epoch)
    {
        if (_producers.TryGetValue(producerId, out var producer) && epoch < producer.Epoch)
            throw new HubException(ErrorCode.InvalidProducerEpoch,
                $"a transaction marker of producer {producerId} epoch {epoch} is older than its current epoch {producer.Epoch}");
    }

    /// <summary>First offset of the oldest transaction open here; null when none is.</summary>
    public long? FirstUnstableOffset => _openTransactions.Count == 0 ? null : _openTransactions.Min.FirstOffset;

    private Producer ProducerAt(long producerId, short epoch)
    {
        if (!_producers.TryGetValue(producerId, out var producer)) _producers[producerId] = producer = new Producer(epoch);
        return producer;
    }

    /// <summary>Drops producers that have not appended for the expiration time; returns how many.</summary>
    public int RemoveExpired(long nowMs)
    {
        var removed = 0;
        foreach (var (producerId, producer) in _producers)
        {
            if (!IsExpired(producer.LastAppendMs, nowMs) || producer.TransactionFirstOffset >= 0) continue;
            _producers.Remove(producerId);
            removed++;
        }
        return removed;
    }

    /// <summary>The producers, for a snapshot.</summary>
    public IEnumerable<ProducerState> Producers() =>
        _producers.Select(p => new ProducerState(p.Key, p.Value.Epoch, p.Value.LastAppendMs, p.Value.Batches.ToArray(), p.Value.TransactionFirstOffset));

    /// <summary>The producers as DescribeProducers reports them, by producer id.</summary>
    public ActiveProducer[] ActiveProducers() =>
        _producers.OrderBy(p => p.Key)
            .Select(p => new ActiveProducer(p.Key, p.Value.Epoch, p.Value.LastSequence, p.Value.LastAppendMs, p.Value.TransactionFirstOffset))
            .ToArray();

    /// <summary>Starts over from a snapshot's producers, leaving out those expired by <paramref name="nowMs"/>.</summary>
    public void Load(IEnumerable<ProducerState> producers, long nowMs)
    {
        Clear();
        foreach (var state in producers)
        {
            if (IsExpired(state.LastAppendMs, nowMs) && state.TransactionFirstOffset < 0) continue;
            var producer = new Producer(state.Epoch) { LastAppendMs = state.LastAppendMs, TransactionFirstOffset = state.TransactionFirstOffset };
            foreach (var batch in state.Batches) producer.Add(batch);
            _producers[state.ProducerId] = producer;
            if (state.TransactionFirstOffset >= 0) _openTransactions.Add((state.TransactionFirstOffset, state.ProducerId));
        }
    }

    public void Clear()
    {
        _producers.Clear();
        _openTransactions.Clear();
    }

    private bool IsExpired(long lastAppendMs, long nowMs) => nowMs - lastAppendMs >= _expirationMs;

    /// <summary>
    /// Same epoch: the batch must start right after the last sequence. A newer epoch (the producer re-initialized)
    /// must start at 0. An older one is a fenced producer.
    /// </summary>
    private static void CheckNext(in RecordBatchHeader header, short epoch, int lastSequence)
    {
        if (header.ProducerEpoch < epoch)
            throw new HubException(ErrorCode.InvalidProducerEpoch,
                $"producer {header.ProducerId} epoch {header.ProducerEpoch} is older than its current epoch {epoch}");
        var expected = header.ProducerEpoch > epoch ? 0 : lastSequence < 0 ? header.BaseSequence : Increment(lastSequence, 1);
        if (header.BaseSequence != expected)
            throw new HubException(ErrorCode.OutOfOrderSequenceNumber,
                $"producer {header.ProducerId} epoch {header.ProducerEpoch} sent sequence {header.BaseSequence}, expected {expected}");
    }

    /// <summary>
    /// True when <paramref name="header"/>'s batch continues its producer's current epoch past a gap: the sequences
    /// before it are not stored yet, so a batch sent earlier may still be on its way (see
    /// <see cref="Hub.Silo.Partitions.ReorderedAppends"/>). "Past" means less than half the sequence space ahead, the
    /// wrap-around's usual reading.
    /// </summary>
    public bool IsAheadOfStored(in RecordBatchHeader header)
    {
        if (header.ProducerId < 0 || !_producers.TryGetValue(header.ProducerId, out var producer)) return false;
        if (header.ProducerEpoch != producer.Epoch || producer.LastSequence < 0) return false;
        var expected = Increment(producer.LastSequence, 1);
        var ahead = ((long)header.BaseSequence - expected + SequenceSpace) % SequenceSpace;
        return ahead is > 0 and < SequenceSpace / 2;
    }

    /// <summary>Where <paramref name="producerId"/>'s newest stored batch ends; -1 for a producer this table does not know.</summary>
    public long LastOffsetOf(long producerId) => _producers.TryGetValue(producerId, out var producer) ? producer.LastOffset : -1;

    /// <summary>When <paramref name="producerId"/> last stored a batch here, by this replica's clock; null for a producer this table does not know.</summary>
    public long? LastAppendMsOf(long producerId) => _producers.TryGetValue(producerId, out var producer) ? producer.LastAppendMs : null;

    private const long SequenceSpace = (long)int.MaxValue + 1;

    private static int Increment(int sequence, int by) => ProducerStamp.AddToSequence(sequence, by);
}
