using System.Collections.Concurrent;
using Hub.Client.Metadata;
using Hub.Client.Partitioning;
using Hub.Client.Producing;
using Hub.Errors;
using Hub.Groups;
using Hub.Partitions;
using Hub.Security;

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
        var identity = !_options.EnableIdempotence ? null
            : _options.TransactionalId is null ? new ProducerIdentity(async () => new ProducerIdAndEpoch(await router.AllocateProducerIdAsync().ConfigureAwait(false), 0))
            : new ProducerIdentity(allocate: null);
        _accumulator = new RecordAccumulator(_options, AppendAsync, identity, time);
        if (_options.TransactionalId is { } transactionalId)
            _accumulator.Transaction = new ProducerTransaction(transactionalId, _options.TransactionTimeoutMs, router, identity!, _accumulator.ResetSequences);
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

    /// <summary>
    /// Gets the producer id and epoch of <see cref="ProducerOptions.TransactionalId"/> from its transaction coordinator,
    /// once, before the first transaction (Kafka's initTransactions). Every earlier producer with the id is fenced from
    /// then on, and a transaction it left open is aborted first. Retries while the coordinator is unavailable or still
    /// ending an earlier transaction.
    /// </summary>
    public Task InitTransactionsAsync(CancellationToken ct = default) => TransactionOrThrow().InitAsync(ct);

    /// <summary>Opens a transaction: records produced until it commits or aborts belong to it.</summary>
    public void BeginTransaction() => TransactionOrThrow().Begin();

    /// <summary>
    /// Commits a consumer group's offsets in the open transaction (Kafka's sendOffsetsToTransaction): the group's
    /// committed offsets change when the transaction commits, and never if it aborts. With <paramref name="consumer"/>
    /// the commit names its member and generation, so a consumer that lost its partitions in a rebalance is refused
    /// (KIP-447) instead of committing over its successor.
    /// </summary>
    public Task SendOffsetsToTransactionAsync(IEnumerable<OffsetCommitEntry> offsets, HubGroupConsumer consumer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        return SendOffsetsAsync(consumer.GroupId, new OffsetCommitRequest
        {
            GenerationId = consumer.GenerationId,
            MemberId = consumer.MemberId,
            GroupInstanceId = consumer.GroupInstanceId,
            Offsets = [.. offsets],
        }, ct);
    }

    /// <summary>
    /// <see cref="SendOffsetsToTransactionAsync(IEnumerable{OffsetCommitEntry}, HubGroupConsumer, CancellationToken)"/>
    /// for a group this producer's application does not consume through a <see cref="HubGroupConsumer"/>: no member is checked.
    /// </summary>
    public Task SendOffsetsToTransactionAsync(IEnumerable<OffsetCommitEntry> offsets, string groupId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        return SendOffsetsAsync(groupId, new OffsetCommitRequest { Offsets = [.. offsets] }, ct);
    }

    /// <summary>
    /// Sends every record of the open transaction, then commits it: read_committed consumers see all of its records (and
    /// its group offsets apply) at once. Throws when one of its records failed (the transaction stays open: abort it),
    /// or when the coordinator could not be reached (commit again or abort); a fenced producer throws PRODUCER_FENCED
    /// from here on.
    /// </summary>
    public Task CommitTransactionAsync(CancellationToken ct = default) => TransactionOrThrow().CommitAsync(() => FlushAsync(ct), ct);

    /// <summary>
    /// Aborts the open transaction: its records, sent or not, are never seen by read_committed consumers and its group
    /// offsets are dropped. Waits for the records still on their way first.
    /// </summary>
    public Task AbortTransactionAsync(CancellationToken ct = default) => TransactionOrThrow().AbortAsync(() => FlushAsync(ct), ct);

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
        _accumulator.Transaction?.CheckCanProduce();
    }

    private ProducerTransaction TransactionOrThrow() => _accumulator.Transaction
        ?? throw new InvalidOperationException("this producer is not transactional: set ProducerOptions.TransactionalId");

    private async Task SendOffsetsAsync(string groupId, OffsetCommitRequest request, CancellationToken ct)
    {
        foreach (var entry in request.Offsets) ArgumentNullException.ThrowIfNull(entry);
        await TransactionOrThrow().SendOffsetsAsync(groupId, request, ct).ConfigureAwait(false);
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

    private Task<AppendResult> AppendAsync(string topic, int partition, ReadOnlyMemory<byte> batch)
    {
        // Set in the sending flow only (each send runs in an async method of its own): the gateway checks WRITE on it.
        if (_options.TransactionalId is { } transactionalId) RequestContext.Set(GatewayCredential.TransactionalIdKey, transactionalId);
        return _router.InvokeOnceAsync(topic, partition, grain => grain.Append(PooledBatches.Borrow(batch), _options.Acks == Acks.All ? RequiredAcks.All : RequiredAcks.Leader));
    }

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
