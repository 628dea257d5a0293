using Hub.Errors;
using Hub.Partitions;

namespace Hub.Client.Producing;

/// <summary>
/// Gathers produced records into per-partition batches and sends each batch when it is full, when it has
/// lingered for LingerMs (checked by the producer's single timer through <see cref="SendLingered"/>), or on a
/// flush. Knows nothing of grains: the send is a delegate, so the batching can be tested on its own.
/// </summary>
internal sealed class RecordAccumulator
{
    /// <summary>Appends one batch to a partition; the memory is valid until the returned task completes.</summary>
    public delegate Task<AppendResult> BatchSender(string topic, int partition, ReadOnlyMemory<byte> batch);

    private readonly ProducerOptions _options;
    private readonly BatchSender _send;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly Lock _queuesLock = new();
    private PartitionQueue[] _queues = [];

    /// <param name="options">Already validated.</param>
    public RecordAccumulator(ProducerOptions options, BatchSender send, TimeProvider time)
    {
        _options = options;
        _send = send;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        Budget = new BufferBudget(options.BufferMemoryBytes);
    }

    public BufferBudget Budget { get; }

    public int BatchSizeBytes => _options.BatchSizeBytes;

    public int LingerMs => _options.LingerMs;

    public int MaxInFlightPerPartition => _options.MaxInFlightPerPartition;

    /// <summary>Monotonic milliseconds, for lingering (wall-clock jumps must not send or hold batches).</summary>
    public long NowMs => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

    public PartitionQueue CreateQueue(ProducerTopic topic, int partition)
    {
        var queue = new PartitionQueue(topic, partition, this);
        lock (_queuesLock) _queues = [.. _queues, queue];
        return queue;
    }

    public void Append(PartitionQueue queue, ProducerRecord record, in PendingDelivery delivery)
    {
        var closedBatch = queue.Append(record, delivery, out var addedBytes);
        Budget.Take(addedBytes);
        // With no linger a batch is due as soon as it has a record; otherwise only a full one is worth a look.
        if (closedBatch || _options.LingerMs == 0) TrySend(queue, NowMs);
    }

    /// <summary>Sends the batches that have waited LingerMs; the producer's timer calls this.</summary>
    public void SendLingered()
    {
        var now = NowMs;
        foreach (var queue in Volatile.Read(ref _queues)) TrySend(queue, now);
    }

    /// <summary>Sends everything buffered now and waits until all of it is acknowledged or failed.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var unfinished = new List<Task>();
        var queues = Volatile.Read(ref _queues);
        foreach (var queue in queues) queue.CloseOpen(unfinished);
        var now = NowMs;
        foreach (var queue in queues) TrySend(queue, now);
        await Task.WhenAll(unfinished).WaitAsync(ct).ConfigureAwait(false);
    }

    internal async Task SendAsync(ProducerBatch batch)
    {
        var queue = batch.Queue;
        var size = batch.SizeBytes;
        var grainFinished = true;
        try
        {
            var append = _send(queue.Topic.Name, queue.Partition, batch.Build());
            if (_options.Acks == Acks.None)
            {
                batch.Succeed(baseOffset: null);
                // acks=0: the outcome is never reported, but the buffer stays ours until the call is over.
                await ((Task)append).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                grainFinished = append.IsCompletedSuccessfully || append.Exception?.InnerException is HubException;
            }
            else
            {
                batch.Succeed((await append.ConfigureAwait(false)).BaseOffset);
            }
        }
        catch (Exception error)
        {
            batch.Fail(error);
            grainFinished = GrainCalls.Finished(error);
        }
        finally
        {
            batch.Release(bytesMayBeInUse: !grainFinished);
            Budget.Return(size);
            queue.Finished(batch);
            TrySend(queue, NowMs);
        }
    }

    private static void TrySend(PartitionQueue queue, long nowMs)
    {
        while (queue.TakeSendable(nowMs) is { } batch) ThreadPool.UnsafeQueueUserWorkItem(batch, preferLocal: false);
    }
}
