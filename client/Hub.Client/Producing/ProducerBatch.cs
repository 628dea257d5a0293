using System.Buffers;
using Hub.Batches;

namespace Hub.Client.Producing;

/// <summary>
/// One partition's batch, from its first record until its outcome is reported: the encoded records in a
/// pooled <see cref="RecordBatchBuilder"/>, who to tell about each record, and where it stands on its way out
/// (<see cref="BatchState"/>). Built once, when first sent: a retry sends the same bytes, with the same
/// sequence numbers, so the partition recognises a batch it already stored. Its state changes under its
/// <see cref="PartitionQueue"/>'s lock.
/// </summary>
internal sealed class ProducerBatch
{
    private const int InitialDeliverySlots = 64;

    private readonly RecordBatchBuilder _builder;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Slot i belongs to the record with offset delta i; records nobody observes get default slots, and
    // batches where nobody observes any record never rent the array.
    private PendingDelivery[]? _deliveries;
    private int _deliveryCount;
    private bool _deliveriesReported;

    private short _epoch = -1;
    private int _baseSequence = -1;
    private ReadOnlyMemory<byte>? _built;
    private bool _bytesMayBeInUse;
    private long? _baseOffset;
    private Exception? _error;

    public ProducerBatch(PartitionQueue queue, int maxSizeBytes, int initialCapacity, CompressionType compression, long createdAtMs)
    {
        Queue = queue;
        CreatedAtMs = createdAtMs;
        _builder = new RecordBatchBuilder(maxSizeBytes, initialCapacity, compression);
    }

    public PartitionQueue Queue { get; }

    /// <summary>Monotonic ms when the first record arrived; linger.ms counts from here.</summary>
    public long CreatedAtMs { get; }

    public int RecordCount => _builder.RecordCount;

    public int SizeBytes => _builder.SizeBytes;

    public BatchState State { get; private set; }

    /// <summary>Monotonic ms of the first send; a failure's retry budget counts from here.</summary>
    public long FirstSentAtMs { get; private set; }

    /// <summary>Sends so far, the first included.</summary>
    public int Attempts { get; private set; }

    /// <summary>While <see cref="BatchState.AwaitingRetry"/>: the monotonic ms from which it may go again.</summary>
    public long RetryAtMs { get; private set; }

    /// <summary>An idempotent producer's batch, numbered: its sequences may be stored even if it fails.</summary>
    public bool HasSequence => _baseSequence >= 0;

    public bool Succeeded => State == BatchState.Done && _error is null;

    /// <summary>Completes (never faults) once every record's outcome is reported and the buffer released.</summary>
    public Task Done => _done.Task;

    /// <summary>False when the record would take the batch past its size; it then belongs in the next batch.</summary>
    public bool TryAppend(ProducerRecord record, in PendingDelivery delivery)
    {
        if (!_builder.Append(delivery.TimestampMs, record.Key, record.Value, record.Headers)) return false;
        if (!delivery.IsUnobserved) Keep(_builder.RecordCount - 1, delivery);
        return true;
    }

    /// <summary>Numbers the batch for an idempotent producer: before its first send, or again after an epoch bump.</summary>
    public void Number(short epoch, int baseSequence)
    {
        if (_built is not null)
        {
            // A send that gave up may still carry the old bytes out of Orleans' queue: it keeps them, not the new ones.
            if (_bytesMayBeInUse) _builder.MoveToFreshBuffer();
            _built = null;
        }
        _epoch = epoch;
        _baseSequence = baseSequence;
    }

    /// <summary>
    /// The batch as sent, built on the first call; <paramref name="producer"/> counts only for a numbered batch, whose
    /// epoch is the producer's plus the partition's own bumps (an idempotent producer's; a transactional one never bumps).
    /// </summary>
    public ReadOnlyMemory<byte> Bytes(ProducerIdAndEpoch producer, bool transactional) =>
        _built ??= _builder.Build(HasSequence
            ? new ProducerStamp(producer.Id, (short)(producer.Epoch + _epoch), _baseSequence, transactional)
            : ProducerStamp.None);

    /// <summary>How many of the partition's batches were stored when this send went out, to tell an out-of-date refusal.</summary>
    public long StoredCountWhenSent { get; private set; }

    public void Sending(long nowMs, long storedCount)
    {
        if (Attempts++ == 0) FirstSentAtMs = nowMs;
        StoredCountWhenSent = storedCount;
        State = BatchState.Sending;
    }

    /// <summary>
    /// A send is over; <paramref name="grainFinished"/> false when it gave up while the call may live on in
    /// Orleans (say timed out while still queued to a slow connection), so the bytes must never be reused.
    /// </summary>
    public void SendEnded(bool grainFinished) => _bytesMayBeInUse |= !grainFinished;

    public void AwaitRetry(long atMs)
    {
        State = BatchState.AwaitingRetry;
        RetryAtMs = atMs;
    }

    /// <summary>Stored at <paramref name="baseOffset"/>, or somewhere unknown (null: acks=0, or a duplicate the partition no longer places).</summary>
    public void Succeed(long? baseOffset)
    {
        State = BatchState.Done;
        _baseOffset = baseOffset;
    }

    public void Fail(Exception error)
    {
        State = BatchState.Done;
        _error = error;
    }

    /// <summary>Tells every record's listener its outcome, once: at <see cref="Succeed"/>'s offset + its index (-1 when unknown), or the error.</summary>
    public void ReportDeliveries()
    {
        if (_deliveriesReported) return;
        _deliveriesReported = true;
        var topic = Queue.Topic.Name;
        for (var i = 0; i < _deliveryCount; i++)
        {
            if (_error is null) _deliveries![i].Succeed(topic, Queue.Partition, _baseOffset + i ?? -1);
            else _deliveries![i].Fail(_error);
        }
    }

    /// <summary>
    /// Returns the pooled buffers; call once the batch is over, after reporting. Bytes a send may still be using
    /// (see <see cref="SendEnded"/>) are left to the GC rather than handed to the next batch, which a late send
    /// would otherwise carry.
    /// </summary>
    public void Release()
    {
        if (_bytesMayBeInUse) _builder.Abandon();
        else _builder.Dispose();
        _built = null;
        if (_deliveries is not null)
        {
            ArrayPool<PendingDelivery>.Shared.Return(_deliveries, clearArray: true);
            _deliveries = null;
        }
        _deliveryCount = 0;
        _done.TrySetResult();
    }

    private void Keep(int index, in PendingDelivery delivery)
    {
        if (_deliveries is null || index >= _deliveries.Length)
        {
            var grown = ArrayPool<PendingDelivery>.Shared.Rent(Math.Max(index + 1, Math.Max(InitialDeliverySlots, 2 * _deliveryCount)));
            if (_deliveries is not null)
            {
                _deliveries.AsSpan(0, _deliveryCount).CopyTo(grown);
                ArrayPool<PendingDelivery>.Shared.Return(_deliveries, clearArray: true);
            }
            _deliveries = grown;
        }
        // Rented arrays may hold anything; the records skipped since the last observed one get empty slots.
        _deliveries.AsSpan(_deliveryCount, index - _deliveryCount).Clear();
        _deliveries[index] = delivery;
        _deliveryCount = index + 1;
    }
}
