namespace Hub.Client.Producing;

/// <summary>
/// One topic partition's batches on their way out: the batch being filled, closed batches waiting for a
/// send slot, and the batches in flight (at most MaxInFlightPerPartition, which keeps the partition in order).
/// While a batch is in flight the open one keeps filling, so under load batches go out full.
/// </summary>
internal sealed class PartitionQueue(ProducerTopic topic, int partition, RecordAccumulator accumulator)
{
    private const int FirstBatchCapacity = 16 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<ProducerBatch> _closed = new();
    private readonly List<ProducerBatch> _inFlight = [];
    private ProducerBatch? _open;

    // The next batch starts with the size the last one reached, so steady traffic never regrows buffers.
    private int _nextCapacity = FirstBatchCapacity;

    public ProducerTopic Topic => topic;

    public int Partition => partition;

    public RecordAccumulator Accumulator => accumulator;

    /// <summary>
    /// Adds a record to the open batch, starting a new one when it is full.
    /// </summary>
    /// <param name="addedBytes">Bytes the partition's batches grew by, for the buffer budget.</param>
    /// <returns>True when a batch closed, so a send may be due.</returns>
    public bool Append(ProducerRecord record, in PendingDelivery delivery, out int addedBytes)
    {
        lock (_lock)
        {
            var before = _open?.SizeBytes ?? 0;
            _open ??= NewBatch();
            if (_open.TryAppend(record, delivery))
            {
                addedBytes = _open.SizeBytes - before;
                return false;
            }
            Close(_open);
            _closed.Enqueue(_open);
            _open = NewBatch();
            _open.TryAppend(record, delivery); // a batch always takes its first record
            addedBytes = _open.SizeBytes;
            return true;
        }
    }

    /// <summary>
    /// The next batch to send, if a send slot is free and a batch is due: a closed one, or the open one once
    /// it has lingered long enough.
    /// </summary>
    public ProducerBatch? TakeSendable(long nowMs)
    {
        lock (_lock)
        {
            if (_inFlight.Count >= accumulator.MaxInFlightPerPartition) return null;
            ProducerBatch batch;
            if (_closed.Count > 0)
            {
                batch = _closed.Dequeue();
            }
            else if (_open is not null && nowMs - _open.CreatedAtMs >= accumulator.LingerMs)
            {
                batch = _open;
                _open = null;
                Close(batch);
            }
            else
            {
                return null;
            }
            _inFlight.Add(batch);
            return batch;
        }
    }

    public void Finished(ProducerBatch batch)
    {
        lock (_lock) _inFlight.Remove(batch);
    }

    /// <summary>For a flush: closes the open batch so it need not linger, and collects every unfinished batch.</summary>
    public void CloseOpen(List<Task> unfinished)
    {
        lock (_lock)
        {
            if (_open is not null)
            {
                Close(_open);
                _closed.Enqueue(_open);
                _open = null;
            }
            foreach (var batch in _closed) unfinished.Add(batch.Done);
            foreach (var batch in _inFlight) unfinished.Add(batch.Done);
        }
    }

    // The clock is read per batch rather than per record: linger only needs a batch's start.
    private ProducerBatch NewBatch() => new(this, accumulator.BatchSizeBytes, _nextCapacity, accumulator.NowMs);

    private void Close(ProducerBatch batch)
    {
        _nextCapacity = Math.Max(batch.SizeBytes, FirstBatchCapacity);
        topic.NullKeyPartitioner.OnBatchClosed(partition, topic.PartitionCount);
    }
}
