using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Groups;
using Hub.Partitions;

namespace Hub.Client.Producing;

/// <summary>
/// One topic partition's batches on their way out, in order: the batch being filled, closed batches waiting
/// for a send slot, and the unfinished ones (sent, not yet reported; at most MaxInFlightPerPartition). While
/// batches are in flight the open one keeps filling, so under load batches go out full.
/// <para>
/// Order is kept the way Kafka's producer keeps it. Sends are issued one after another by one work item per
/// partition. A failed batch is retried (the same bytes) only once every batch before it is done, and no new
/// batch goes out while one awaits its retry; with idempotence the partition refuses any batch whose
/// predecessor it has not stored (OUT_OF_ORDER_SEQUENCE_NUMBER), and such a batch waits for its turn too.
/// Outcomes are reported in the partition's order. See <see cref="PartitionSequence"/> for what a batch
/// failed with its sequence taken does to the next ones.
/// </para>
/// </summary>
internal sealed class PartitionQueue(ProducerTopic topic, int partition, RecordAccumulator accumulator) : IThreadPoolWorkItem
{
    private const int FirstBatchCapacity = 16 * 1024;

    private readonly Lock _lock = new();
    private readonly Queue<ProducerBatch> _closed = new();
    private readonly List<ProducerBatch> _unfinished = [];
    private readonly Queue<ProducerBatch> _toSend = new();
    private readonly PartitionSequence _sequence = new();
    private ProducerBatch? _open;
    private int _awaitingRetry;

    // Batches stored so far: a refusal of a send made before the latest of them may be out of date.
    private long _storedCount;
    private bool _sendScheduled;
    private bool _reporting;

    // The next batch starts with the size the last one reached, so steady traffic never regrows buffers.
    private int _nextCapacity = FirstBatchCapacity;

    public ProducerTopic Topic => topic;

    public int Partition => partition;

    public TopicPartition TopicPartition { get; } = new(topic.Name, partition);

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
    /// Queues for sending every batch that is due and may go: the oldest unfinished batch awaiting a retry,
    /// else closed ones, or the open one once it has lingered long enough, while a send slot is free.
    /// </summary>
    public void SendDue(long nowMs)
    {
        lock (_lock)
        {
            while (TakeSendable(nowMs) is { } batch)
            {
                batch.Sending(nowMs, _storedCount);
                _toSend.Enqueue(batch);
            }
            if (_toSend.Count == 0 || _sendScheduled) return;
            _sendScheduled = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Issues the queued sends in order, on a pool thread: neither a producing thread nor a grain's scheduler runs them.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            ProducerBatch batch;
            lock (_lock)
            {
                if (!_toSend.TryDequeue(out batch!))
                {
                    _sendScheduled = false;
                    return;
                }
            }
            _ = accumulator.SendAsync(batch);
        }
    }

    /// <summary>
    /// Settles a send: stored, worth another try (see <see cref="RetryPolicy.RetryBudget"/>, counted from the first
    /// send), or failed; then reports whatever the partition's order lets out.
    /// </summary>
    public void Completed(ProducerBatch batch, AppendResult? stored, Exception? error, long nowMs)
    {
        lock (_lock)
        {
            if (error is null)
            {
                batch.Succeed(stored?.BaseOffset);
                _storedCount++;
                if (batch.HasSequence) _sequence.Confirm();
            }
            else if (batch.HasSequence && error is HubException { Code: ErrorCode.DuplicateSequenceNumber })
                batch.Succeed(baseOffset: null); // stored before; the partition no longer knows where
            else if (batch.HasSequence && error is HubException { Code: ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId })
                SequenceRefused(batch, error, nowMs);
            else if (nowMs - batch.FirstSentAtMs < RetryPolicy.RetryBudget(error).TotalMilliseconds)
                Retry(batch, nowMs + (long)RetryPolicy.DelayBefore(batch.Attempts).TotalMilliseconds);
            else
                Fail(batch, error);
        }
        ReportInOrder();
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
            foreach (var batch in _unfinished) unfinished.Add(batch.Done);
        }
    }

    private ProducerBatch? TakeSendable(long nowMs)
    {
        if (_awaitingRetry > 0)
        {
            // Only the oldest unfinished batch goes again; the ones after it wait until it is done.
            var oldest = _unfinished.Find(b => b.State != BatchState.Done);
            if (oldest is not { State: BatchState.AwaitingRetry } || nowMs < oldest.RetryAtMs) return null;
            _awaitingRetry--;
            return oldest;
        }
        if (_unfinished.Count >= accumulator.MaxInFlightPerPartition) return null;
        // A transactional producer's epoch is its coordinator's: its bump waits for the abort (see ProducerTransaction).
        if (_sequence.BumpPending && accumulator.Transaction is null)
        {
            if (_unfinished.Count > 0) return null;
            _sequence.Bump();
        }
        if (accumulator.Idempotent && !_sequence.Confirmed && _unfinished.Count > 0) return null;
        // A transaction's first batch to the partition goes alone, so the ones after it can't overtake it once it is added.
        if (accumulator.Transaction is { } transaction && _unfinished.Count > 0 && !transaction.Holds(TopicPartition)) return null;
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
        if (accumulator.Idempotent) batch.Number(_sequence.Epoch, _sequence.Take(batch.RecordCount));
        _unfinished.Add(batch);
        return batch;
    }

    /// <summary>
    /// The partition refused the batch's sequence. Behind an unfinished batch that is expected: the batch waits
    /// for the earlier one's outcome and goes again. So it does when a batch was stored after this one was sent:
    /// answers are settled on pool threads in any order, and the partition may have refused this batch just
    /// before storing the one ahead of it (calls can also overtake each other on the way). As the oldest unfinished
    /// batch, refused with nothing stored since it was sent, the partition has lost the
    /// producer's state (or a batch before this one failed): alone, it starts a new epoch and goes again (KIP-360);
    /// with others unfinished, it fails rather than risk a reorder, and the epoch moves on once they are done.
    /// </summary>
    private void SequenceRefused(ProducerBatch batch, Exception error, long nowMs)
    {
        var position = _unfinished.IndexOf(batch);
        var earlierUnfinished = _unfinished.FindIndex(0, position, b => b.State != BatchState.Done) >= 0;
        if (earlierUnfinished || batch.StoredCountWhenSent != _storedCount)
        {
            Retry(batch, nowMs);
            return;
        }
        var othersUnfinished = _unfinished.FindIndex(position + 1, b => b.State != BatchState.Done) >= 0;
        if (!othersUnfinished && !_sequence.BumpPending && accumulator.Transaction is null)
        {
            _sequence.Bump();
            batch.Number(_sequence.Epoch, _sequence.Take(batch.RecordCount));
            Retry(batch, nowMs);
            return;
        }
        Fail(batch, error);
    }

    private void Retry(ProducerBatch batch, long atMs)
    {
        batch.AwaitRetry(atMs);
        _awaitingRetry++;
    }

    private void Fail(ProducerBatch batch, Exception error)
    {
        batch.Fail(error);
        if (batch.HasSequence) _sequence.RequestBump();
        accumulator.Transaction?.BatchFailed(error, batch.HasSequence);
    }

    /// <summary>Sequences from 0 again, under a transactional producer's new epoch; no batch is unfinished then.</summary>
    public void ResetSequence()
    {
        lock (_lock) _sequence.Reset();
    }

    /// <summary>
    /// Reports done batches from the oldest on, stopping at the first unfinished one. One thread at a time
    /// reports (outside the lock, since listeners run user code); another that finds it busy leaves its batch to it.
    /// </summary>
    private void ReportInOrder()
    {
        lock (_lock)
        {
            if (_reporting) return;
            _reporting = true;
        }
        while (true)
        {
            ProducerBatch oldest;
            lock (_lock)
            {
                if (_unfinished.Count == 0 || _unfinished[0].State != BatchState.Done)
                {
                    _reporting = false;
                    return;
                }
                oldest = _unfinished[0];
            }
            accumulator.Report(oldest);
            lock (_lock) _unfinished.RemoveAt(0);
        }
    }

    // The clock is read per batch rather than per record: linger only needs a batch's start.
    private ProducerBatch NewBatch() => new(this, accumulator.BatchSizeBytes, _nextCapacity, accumulator.Compression, accumulator.NowMs);

    private void Close(ProducerBatch batch)
    {
        _nextCapacity = Math.Max(batch.SizeBytes, FirstBatchCapacity);
        topic.NullKeyPartitioner.OnBatchClosed(partition, topic.PartitionCount);
    }
}
