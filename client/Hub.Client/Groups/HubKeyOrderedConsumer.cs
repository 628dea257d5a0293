using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Hub.Batches;
using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Partitions;

namespace Hub.Client;

/// <summary>Settings of a <see cref="HubKeyOrderedConsumer"/>.</summary>
public sealed class KeyOrderedConsumerOptions
{
    public string GroupId { get; set; } = "";

    /// <summary>Topics to read; each must exist when the consumer starts (partitions added later are not read).</summary>
    public IList<string> Topics { get; set; } = [];

    /// <summary>Start where the group has no committed offset: Earliest or Latest.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>A consumer silent this long is presumed dead and its unfinished records go to the others.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Records this consumer holds at once per partition (each of a different key).</summary>
    public int MaxInFlightPerPartition { get; set; } = 100;

    /// <summary>How long a poll waits at the partition for a record this consumer may take.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(500);

    public string ClientId { get; set; } = "hub-client";

    internal KeyOrderedConsumerOptions Validated()
    {
        ArgumentException.ThrowIfNullOrEmpty(GroupId, nameof(GroupId));
        if (Topics is null || Topics.Count == 0 || Topics.Any(string.IsNullOrEmpty))
            throw new ArgumentException("give at least one topic, none empty", nameof(Topics));
        if (AutoOffsetReset is not (AutoOffsetReset.Earliest or AutoOffsetReset.Latest))
            throw new ArgumentOutOfRangeException(nameof(AutoOffsetReset), AutoOffsetReset, "key-ordered consumers reset to Earliest or Latest");
        if (SessionTimeout <= MaxWait || SessionTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(SessionTimeout), SessionTimeout, "must be longer than MaxWait");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxInFlightPerPartition);
        if (MaxWait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxWait), MaxWait, "must not be negative");
        return new KeyOrderedConsumerOptions
        {
            GroupId = GroupId,
            Topics = Topics.Distinct(StringComparer.Ordinal).ToList(),
            AutoOffsetReset = AutoOffsetReset,
            SessionTimeout = SessionTimeout,
            MaxInFlightPerPartition = MaxInFlightPerPartition,
            MaxWait = MaxWait,
            ClientId = ClientId ?? "",
        };
    }
}

/// <summary>
/// Beyond Kafka: key-ordered parallel consumption. Any number of these consumers in one group share every
/// partition of the topics, more consumers than partitions included; each key is worked on by one consumer at
/// a time, in offset order; the group commits only past records that were fully processed. A consumer that
/// stops (crashes) for its session timeout loses its unfinished records to the others, which process them
/// again (at least once). Each partition's dispatching runs in an <see cref="IKeyOrderedPartitionGrain"/>.
/// <para>
/// A record counts as processed when <see cref="ConsumeAsync"/> is asked for the next one; until then, later
/// records with its key wait. Don't mix this mode with <see cref="HubGroupConsumer"/> members in one group.
/// </para>
/// </summary>
public sealed class HubKeyOrderedConsumer : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    private readonly IGrainFactory _grains;
    private readonly PartitionRouter _router;
    private readonly KeyOrderedConsumerOptions _options;
    private readonly string _consumerId;
    private readonly Channel<(Lane Lane, KeyOrderedRecord Record)> _records =
        Channel.CreateUnbounded<(Lane, KeyOrderedRecord)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _failed = new();
    private readonly List<Lane> _lanes = [];
    private readonly Task _loop;
    private Exception? _error;
    private int _disposed;

    internal HubKeyOrderedConsumer(IGrainFactory grains, PartitionRouter router, KeyOrderedConsumerOptions options)
    {
        _options = options.Validated();
        _grains = grains;
        _router = router;
        _consumerId = $"{(_options.ClientId.Length > 0 ? _options.ClientId : "consumer")}-{Guid.NewGuid()}";
        _loop = Task.Run(RunAsync);
    }

    public string ConsumerId => _consumerId;

    /// <summary>
    /// Records handed to this consumer, one per key at a time. Moving on to the next record acknowledges the
    /// previous one. Throws when the consumer can't go on (an unknown topic). One enumeration at a time.
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_error is { } failed) throw failed;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _failed.Token);
        while (true)
        {
            (Lane Lane, KeyOrderedRecord Record) next;
            try
            {
                if (!await _records.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false)) yield break;
                if (!_records.Reader.TryRead(out next)) continue;
            }
            catch (OperationCanceledException) when (_failed.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw _error!;
            }
            var r = next.Record;
            yield return new ConsumeResult(next.Lane.Topic, next.Lane.Partition,
                new Record(r.Offset, r.Timestamp, r.Key, r.Value, r.HeaderCount, r.HeaderBytes));
            next.Lane.Acknowledge(r.Offset);
        }
    }

    /// <summary>Stops: sends the acknowledgements of processed records and hands the unprocessed ones back at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopAsync().ConfigureAwait(false);
        await Task.WhenAll(_lanes.Select(async lane =>
        {
            try
            {
                await lane.Grain.Poll(Poll([.. lane.TakeAcks()], 0)).ConfigureAwait(false);
                await lane.Grain.Leave(_consumerId).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Best effort: otherwise the session timeout releases the records.
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Stops as a crashed process would: nothing acknowledged, nothing handed back. For tests.</summary>
    internal async Task AbandonAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopAsync().ConfigureAwait(false);
    }

    private async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _records.Writer.TryComplete();
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            foreach (var topic in _options.Topics)
            {
                var metadata = await _router.GetTopicAsync(topic, ct).ConfigureAwait(false);
                for (var p = 0; p < metadata.PartitionCount; p++)
                    _lanes.Add(new Lane(topic, p, _grains.GetGrain<IKeyOrderedPartitionGrain>(KeyOrderedPartitionKey.Format(_options.GroupId, topic, p))));
            }
            // The loops run until stopped; the first to fail stops the consumer.
            var loops = _lanes.SelectMany(lane => new[] { PollLoopAsync(lane, ct), AckLoopAsync(lane, ct) }).ToList();
            var ended = await Task.WhenAny(loops).ConfigureAwait(false);
            await _stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ended.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = e;
            await _failed.CancelAsync().ConfigureAwait(false);
            await _stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Long-polls the partition for records while this consumer holds fewer than its limit.</summary>
    private async Task PollLoopAsync(Lane lane, CancellationToken ct)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            var room = _options.MaxInFlightPerPartition - lane.InFlight;
            if (room <= 0)
            {
                await lane.WaitForRoomAsync(ct).ConfigureAwait(false);
                continue;
            }
            KeyOrderedRecord[] records;
            try
            {
                records = await lane.Grain.Poll(Poll([], room)).WaitAsync(ct).ConfigureAwait(false);
                delay = FirstRetryDelay;
            }
            catch (Exception e) when (IsTransient(e))
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
                continue;
            }
            lane.Received(records.Length);
            foreach (var record in records) _records.Writer.TryWrite((lane, record));
        }
    }

    /// <summary>Sends acknowledgements as soon as there are any, beside the waiting poll, so the keys free up at once.</summary>
    private async Task AckLoopAsync(Lane lane, CancellationToken ct)
    {
        while (true)
        {
            await lane.WaitForAcksAsync(ct).ConfigureAwait(false);
            var acks = lane.TakeAcks();
            if (acks.Count == 0) continue;
            var delay = FirstRetryDelay;
            while (true)
            {
                try
                {
                    await lane.Grain.Poll(Poll([.. acks], 0)).WaitAsync(ct).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (IsTransient(e))
                {
                    await Task.Delay(delay, ct).ConfigureAwait(false);
                    delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
                }
            }
            lane.Acknowledged(acks.Count);
        }
    }

    private KeyOrderedPoll Poll(long[] acks, int maxRecords) => new()
    {
        ConsumerId = _consumerId,
        Acks = acks,
        MaxRecords = maxRecords,
        MaxWaitMs = (int)_options.MaxWait.TotalMilliseconds,
        SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds,
        ResetTo = _options.AutoOffsetReset == AutoOffsetReset.Earliest ? OffsetSpec.Earliest : OffsetSpec.Latest,
    };

    internal static bool IsTransient(Exception e) => e switch
    {
        HubException hub => StaleMetadata.IsSignalledBy(hub.Code) && hub.Code != ErrorCode.UnknownTopicOrPartition
            || hub.Code is ErrorCode.CoordinatorNotAvailable,
        TimeoutException or Orleans.Runtime.OrleansException or System.Net.Sockets.SocketException or IOException => true,
        _ => false,
    };

    /// <summary>One partition: its grain, the acknowledgements to send, and how many records this consumer holds.</summary>
    private sealed class Lane(string topic, int partition, IKeyOrderedPartitionGrain grain)
    {
        private readonly ConcurrentQueue<long> _acks = new();
        private readonly SemaphoreSlim _ackQueued = new(0);
        private readonly SemaphoreSlim _roomFreed = new(0);
        private int _inFlight;

        public string Topic { get; } = topic;

        public int Partition { get; } = partition;

        public IKeyOrderedPartitionGrain Grain { get; } = grain;

        public int InFlight => Volatile.Read(ref _inFlight);

        public void Received(int count) => Interlocked.Add(ref _inFlight, count);

        public void Acknowledge(long offset)
        {
            _acks.Enqueue(offset);
            _ackQueued.Release();
        }

        public List<long> TakeAcks()
        {
            var acks = new List<long>();
            while (_acks.TryDequeue(out var offset)) acks.Add(offset);
            return acks;
        }

        public void Acknowledged(int count)
        {
            Interlocked.Add(ref _inFlight, -count);
            _roomFreed.Release();
        }

        public Task WaitForAcksAsync(CancellationToken ct) => _ackQueued.WaitAsync(ct);

        public Task WaitForRoomAsync(CancellationToken ct) => _roomFreed.WaitAsync(ct);
    }
}
