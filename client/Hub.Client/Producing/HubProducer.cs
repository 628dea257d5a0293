using System.Collections.Concurrent;
using Hub.Client.Metadata;
using Hub.Client.Partitioning;
using Hub.Client.Producing;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Client;

/// <summary>
/// Produces records to Hub topics, Kafka-style: records are buffered into per-partition batches and each
/// batch is appended to its partition's leader grain in one call. Thread-safe; dispose to flush.
/// </summary>
public sealed class HubProducer : IAsyncDisposable
{
    private readonly PartitionRouter _router;
    private readonly ProducerOptions _options;
    private readonly TimeProvider _time;
    private readonly RecordAccumulator _accumulator;
    private readonly ConcurrentDictionary<string, ProducerTopic> _topics = new();
    private readonly Func<ProducerTopic, int, PartitionQueue> _createQueue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _timer;
    private ProducerTopic? _lastOpenTopic;
    private int _disposed;

    internal HubProducer(PartitionRouter router, ProducerOptions options, TimeProvider time)
    {
        _router = router;
        _options = options.Validated();
        _time = time;
        var identity = _options.EnableIdempotence ? new ProducerIdentity(router.AllocateProducerIdAsync) : null;
        _accumulator = new RecordAccumulator(_options, AppendAsync, identity, time);
        _createQueue = _accumulator.CreateQueue;
        _timer = Task.Factory.StartNew(RunTimer, TaskCreationOptions.LongRunning);
    }

    /// <summary>
    /// Buffers a record and completes when its batch is acknowledged (with <see cref="Acks.None"/>: when sent,
    /// with offset -1). Fails with a <see cref="HubException"/> if the batch was refused. Waits first while
    /// BufferMemoryBytes are in use; <paramref name="ct"/> cancels only that wait, a buffered record is sent.
    /// </summary>
    public Task<RecordMetadata> ProduceAsync(string topic, ProducerRecord record, CancellationToken ct = default)
    {
        CheckArguments(topic, record);
        return _accumulator.Budget.IsExhausted ? ProduceWhenRoomAsync(topic, record, ct) : Enqueue(topic, record);
    }

    /// <summary>
    /// Buffers a record and calls <paramref name="onDelivery"/> (metadata or error) when its batch is
    /// acknowledged. No task per record, for throughput. Blocks the calling thread while BufferMemoryBytes are
    /// in use, as Kafka's send() does (so inside a grain prefer <see cref="ProduceAsync"/>). Callbacks run on
    /// thread-pool threads, one at a time and in order per partition.
    /// </summary>
    public void Produce(string topic, ProducerRecord record, Action<RecordMetadata?, Exception?>? onDelivery = null)
    {
        CheckArguments(topic, record);
        if (_accumulator.Budget.IsExhausted) _accumulator.Budget.WaitForRoom();
        Route(topic, record, new PendingDelivery(TimestampOf(record), onDelivery, completion: null));
    }

    /// <summary>
    /// <see cref="Produce(string, ProducerRecord, Action{RecordMetadata?, Exception?}?)"/> for high rates: one
    /// callback serves many records and gets back the <paramref name="state"/> given with each, so a caller needs
    /// no delegate (closure) per record, which would live in the buffer until the acknowledgement.
    /// </summary>
    public void Produce(string topic, ProducerRecord record, Action<RecordMetadata?, Exception?, long> onDelivery, long state)
    {
        CheckArguments(topic, record);
        ArgumentNullException.ThrowIfNull(onDelivery);
        if (_accumulator.Budget.IsExhausted) _accumulator.Budget.WaitForRoom();
        Route(topic, record, new PendingDelivery(TimestampOf(record), onDelivery, state));
    }

    /// <summary>Sends everything buffered without waiting for linger, and waits until all of it is acknowledged or failed.</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        foreach (var topic in _topics.Values)
            if (topic.Opening is { } opening) await opening.WaitAsync(ct).ConfigureAwait(false);
        await _accumulator.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Flushes, then stops the linger timer. Records produced after this begins are refused.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _timer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stopping.Dispose();
        }
    }

    private void CheckArguments(string topic, ProducerRecord record)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    private async Task<RecordMetadata> ProduceWhenRoomAsync(string topic, ProducerRecord record, CancellationToken ct)
    {
        await _accumulator.Budget.WaitForRoomAsync(ct).ConfigureAwait(false);
        return await Enqueue(topic, record).ConfigureAwait(false);
    }

    private Task<RecordMetadata> Enqueue(string topic, ProducerRecord record)
    {
        var completion = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        Route(topic, record, new PendingDelivery(TimestampOf(record), callback: null, completion));
        return completion.Task;
    }

    private long TimestampOf(ProducerRecord record) => record.TimestampMs ?? _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Route(string topicName, ProducerRecord record, in PendingDelivery delivery)
    {
        // Producers mostly write one topic: skip the dictionary for the last open topic (an open topic stays
        // in it for good; one that failed to open is dropped, so only open ones are remembered).
        var last = Volatile.Read(ref _lastOpenTopic);
        var topic = last is not null && string.Equals(last.Name, topicName, StringComparison.Ordinal)
            ? last
            : _topics.GetOrAdd(topicName, static (name, self) => new ProducerTopic(name, self.NewNullKeyPartitioner()), this);
        var partitions = topic.Partitions;
        if (partitions is null)
        {
            topic.EnsureOpening(t => Task.Run(() => OpenAsync(t)));
            if (topic.TryPark(record, delivery)) return;
            partitions = topic.Partitions!;
        }
        if (topic != last) Volatile.Write(ref _lastOpenTopic, topic);
        Append(topic, partitions, record, delivery);
    }

    private void Append(ProducerTopic topic, PartitionQueue[] partitions, ProducerRecord record, PendingDelivery delivery)
    {
        int partition;
        if (record.Partition is { } chosen)
        {
            if ((uint)chosen >= (uint)partitions.Length)
            {
                delivery.Fail(new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{topic.Name}' has no partition {chosen}"));
                return;
            }
            partition = chosen;
        }
        else if (record.Key is { } key)
        {
            partition = KeyPartitioner.PartitionFor(key, partitions.Length);
        }
        else
        {
            partition = topic.NullKeyPartitioner.NextPartition(partitions.Length);
        }
        _accumulator.Append(partitions[partition], record, delivery);
    }

    private INullKeyPartitioner NewNullKeyPartitioner() => _options.NullKeyPartitioning switch
    {
        NullKeyPartitioning.RoundRobin => new RoundRobinPartitioner(),
        _ => new StickyPartitioner(),
    };

    private async Task OpenAsync(ProducerTopic topic)
    {
        try
        {
            var metadata = await _router.GetTopicAsync(topic.Name).ConfigureAwait(false);
            topic.Open(metadata.PartitionCount, _createQueue, Append);
        }
        catch (Exception error)
        {
            // Dropped before its records hear of the failure, so a record produced after that (the topic may have
            // been created meanwhile) looks the topic up afresh instead of getting this failure.
            _topics.TryRemove(KeyValuePair.Create(topic.Name, topic));
            topic.Fail(error);
        }
    }

    private Task<AppendResult> AppendAsync(string topic, int partition, ReadOnlyMemory<byte> batch) =>
        _router.InvokeOnceAsync(topic, partition, grain => grain.Append(PooledBatches.Borrow(batch), _options.Acks == Acks.All ? RequiredAcks.All : RequiredAcks.Leader));

    /// <summary>
    /// The producer's one timer, on a thread of its own: sends lingered batches, and adds queues for partitions
    /// that appeared in refreshed metadata. Its period is well under LingerMs, so a batch waits at most about
    /// 1.5 × LingerMs. Not a .NET timer: those run on the kernel's coarse clock, and a 1 ms PeriodicTimer ticked
    /// every 4.4 ms here (HZ=250), which stretched a 1 ms linger to 4 ms at the median; a timed wait took 1.1 ms.
    /// </summary>
    private void RunTimer()
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_options.LingerMs / 2, 1, 50));
        while (!_stopping.Token.WaitHandle.WaitOne(period))
        {
            _accumulator.SendLingered();
            foreach (var topic in _topics.Values)
            {
                if (_router.TryGetCached(topic.Name) is { } metadata && metadata.PartitionCount > topic.PartitionCount)
                    topic.GrowTo(metadata.PartitionCount, _createQueue);
            }
        }
    }
}
