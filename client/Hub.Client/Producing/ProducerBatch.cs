using System.Buffers;
using Hub.Batches;

namespace Hub.Client.Producing;

/// <summary>
/// One partition's batch, from its first record until its outcome is reported: the encoded records in a
/// pooled <see cref="RecordBatchBuilder"/>, and who to tell about each record. Queued to the thread pool to be
/// sent, so neither the producing thread nor a grain's scheduler runs the send.
/// </summary>
internal sealed class ProducerBatch : IThreadPoolWorkItem
{
    private const int InitialDeliverySlots = 64;

    private readonly RecordBatchBuilder _builder;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Slot i belongs to the record with offset delta i; records nobody observes get default slots, and
    // batches where nobody observes any record never rent the array.
    private PendingDelivery[]? _deliveries;
    private int _deliveryCount;

    public ProducerBatch(PartitionQueue queue, int maxSizeBytes, int initialCapacity, long createdAtMs)
    {
        Queue = queue;
        CreatedAtMs = createdAtMs;
        _builder = new RecordBatchBuilder(maxSizeBytes, initialCapacity);
    }

    public PartitionQueue Queue { get; }

    /// <summary>Monotonic ms when the first record arrived; linger.ms counts from here.</summary>
    public long CreatedAtMs { get; }

    public int RecordCount => _builder.RecordCount;

    public int SizeBytes => _builder.SizeBytes;

    /// <summary>Completes (never faults) once every record's outcome is reported and the buffer released.</summary>
    public Task Done => _done.Task;

    /// <summary>False when the record would take the batch past its size; it then belongs in the next batch.</summary>
    public bool TryAppend(ProducerRecord record, in PendingDelivery delivery)
    {
        if (!_builder.Append(delivery.TimestampMs, record.Key, record.Value, record.Headers)) return false;
        if (!delivery.IsUnobserved) Keep(_builder.RecordCount - 1, delivery);
        return true;
    }

    public ReadOnlyMemory<byte> Build() => _builder.Build();

    /// <summary>Reports every record as written at <paramref name="baseOffset"/> + its index, or at -1 when unknown.</summary>
    public void Succeed(long? baseOffset)
    {
        var topic = Queue.Topic.Name;
        for (var i = 0; i < _deliveryCount; i++)
            _deliveries![i].Succeed(topic, Queue.Partition, baseOffset + i ?? -1);
    }

    public void Fail(Exception error)
    {
        for (var i = 0; i < _deliveryCount; i++) _deliveries![i].Fail(error);
    }

    /// <summary>
    /// Returns the pooled buffers; call once the send is over, after reporting. When the call may not be over
    /// in Orleans (<paramref name="bytesMayBeInUse"/>: it failed other than with Hub's own refusal, say timed out
    /// while still queued to a slow connection), the batch's bytes are left to the GC rather than handed to the
    /// next batch, which a late send would otherwise carry.
    /// </summary>
    public void Release(bool bytesMayBeInUse = false)
    {
        if (bytesMayBeInUse) _builder.Abandon();
        else _builder.Dispose();
        if (_deliveries is not null)
        {
            ArrayPool<PendingDelivery>.Shared.Return(_deliveries, clearArray: true);
            _deliveries = null;
        }
        _deliveryCount = 0;
        _done.TrySetResult();
    }

    void IThreadPoolWorkItem.Execute() => _ = Queue.Accumulator.SendAsync(this);

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
