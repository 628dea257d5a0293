using Hub.Batches;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Client.Producing;

/// <summary>
/// Gathers produced records into per-partition batches and sends each batch when it is full, when it has
/// lingered for LingerMs (checked by the producer's single timer through <see cref="SendLingered"/>, which
/// also sends batches whose retry is due), or on a flush. Knows nothing of grains: the send is a delegate, so
/// the batching can be tested on its own. Each send is one attempt; the partition's queue decides what follows.
/// </summary>
internal sealed class RecordAccumulator
{
    /// <summary>One attempt to append one batch to a partition; the memory is valid until the returned task completes.</summary>
    public delegate Task<AppendResult> BatchSender(string topic, int partition, ReadOnlyMemory<byte> batch);

    private readonly ProducerOptions _options;
    private readonly BatchSender _send;
    private readonly ProducerIdentity? _identity;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly Lock _queuesLock = new();
    private PartitionQueue[] _queues = [];

    /// <param name="options">Already validated.</param>
    /// <param name="identity">The producer id, with idempotence.</param>
    public RecordAccumulator(ProducerOptions options, BatchSender send, ProducerIdentity? identity, TimeProvider time)
    {
        if (options.EnableIdempotence) ArgumentNullException.ThrowIfNull(identity);
        _options = options;
        _send = send;
        _identity = identity;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        Budget = new BufferBudget(options.BufferMemoryBytes);
    }

    public BufferBudget Budget { get; }

    public int BatchSizeBytes => _options.BatchSizeBytes;

    public int LingerMs => _options.LingerMs;

    public int MaxInFlightPerPartition => _options.MaxInFlightPerPartition;

    public bool Idempotent => _options.EnableIdempotence;

    public CompressionType Compression => _options.CompressionType;

    /// <summary>A transactional producer's transaction: partitions are added to it before their batches go out.</summary>
    public ProducerTransaction? Transaction { get; set; }

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
        if (closedBatch || _options.LingerMs == 0) queue.SendDue(NowMs);
    }

    /// <summary>Every partition's sequences start again from 0, for a transactional producer's new epoch.</summary>
    public void ResetSequences()
    {
        foreach (var queue in Volatile.Read(ref _queues)) queue.ResetSequence();
    }

    /// <summary>Sends the batches that have waited LingerMs; the producer's timer calls this.</summary>
    public void SendLingered()
    {
        var now = NowMs;
        foreach (var queue in Volatile.Read(ref _queues)) queue.SendDue(now);
    }

    /// <summary>Sends everything buffered now and waits until all of it is acknowledged or failed.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var unfinished = new List<Task>();
        var queues = Volatile.Read(ref _queues);
        foreach (var queue in queues) queue.CloseOpen(unfinished);
        var now = NowMs;
        foreach (var queue in queues) queue.SendDue(now);
        await Task.WhenAll(unfinished).WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One attempt to send a batch; its queue settles the outcome.</summary>
    internal async Task SendAsync(ProducerBatch batch)
    {
        var queue = batch.Queue;
        AppendResult? stored = null;
        Exception? error = null;
        var grainFinished = true;
        try
        {
            var producer = _identity is null ? default : await _identity.GetAsync().ConfigureAwait(false);
            if (Transaction is { } transaction) await transaction.AddAsync(queue.TopicPartition).ConfigureAwait(false);
            var append = _send(queue.Topic.Name, queue.Partition, batch.Bytes(producer, transactional: Transaction is not null));
            if (_options.Acks == Acks.None)
            {
                // acks=0: done once sent, the outcome never reported; but the buffer stays ours until the call is over.
                batch.ReportDeliveries();
                await ((Task)append).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                grainFinished = append.IsCompletedSuccessfully || append.Exception?.InnerException is HubException;
            }
            else
            {
                stored = await append.ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            error = e;
            grainFinished = GrainCalls.Finished(e);
        }
        batch.SendEnded(grainFinished);
        queue.Completed(batch, stored, error, NowMs);
        queue.SendDue(NowMs);
    }

    /// <summary>Reports a done batch's outcome to its records' listeners and gives back its memory.</summary>
    internal void Report(ProducerBatch batch)
    {
        var size = batch.SizeBytes;
        batch.ReportDeliveries();
        Budget.Return(size); // before the release completes Done, so a flush that returns sees the budget back
        batch.Release();
    }
}
