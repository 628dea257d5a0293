using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Partitions;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Hub.Silo.Groups;

/// <summary>
/// Key-ordered parallel consumption of one partition by one group (see <see cref="IKeyOrderedPartitionGrain"/>).
/// <para>
/// Holds a window of the partition's records from the group's committed offset on, each free, held by one
/// consumer, or acknowledged. A poll walks the window in offset order and hands out the first record of every
/// key that has nothing earlier pending or held, so a key's records go out one at a time, in order. The
/// committed offset is the first record not yet acknowledged; it is stored in the group (without a
/// generation, like an admin commit) by a timer, so after any crash the window is rebuilt from there and
/// unacknowledged records are delivered again.
/// </para>
/// <para>
/// Reentrant, like the partition grain: polls long-poll, and acks (sent by another call of the same consumer)
/// must get through while they wait. Every change is synchronous; the awaits are for the fetch from the
/// partition (one at a time), the commit, and a poll's wait for a change.
/// </para>
/// </summary>
[Reentrant]
internal sealed partial class KeyOrderedPartitionGrain(TimeProvider time, ILogger<KeyOrderedPartitionGrain> logger) : Grain, IKeyOrderedPartitionGrain
{
    private readonly ILogger _logger = logger;

    /// <summary>Records held from the committed offset on: fetching pauses at this many (a slow key holds the window back).</summary>
    private const int WindowRecords = 5_000;

    private const int FetchMaxBytes = 1 << 20;
    private const int FetchWaitMs = 500;

    /// <summary>A poll waits at most this long (under Orleans' 30 s response timeout).</summary>
    private static readonly TimeSpan MaxPollWait = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FetchRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The window, in offset order.</summary>
    private readonly List<Entry> _window = [];
    private readonly Dictionary<string, Lease> _consumers = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();

    private string _groupId = "";
    private string _topic = "";
    private int _partition;
    private Task? _start;
    private Task? _fetching;
    private long _nextFetch = -1;
    private long _committed = -1;
    private bool _committing;
    private HubException? _fetchError;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_groupId, _topic, _partition) = KeyOrderedPartitionKey.Parse(this.GetPrimaryKeyString());
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { Interleave = true });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _changed.TrySetResult();
        await CommitIfAdvancedAsync();
    }

    public async Task<KeyOrderedRecord[]> Poll(KeyOrderedPoll poll)
    {
        ArgumentNullException.ThrowIfNull(poll);
        if (string.IsNullOrEmpty(poll.ConsumerId) || poll.MaxRecords < 0 || poll.SessionTimeoutMs <= 0)
            throw new HubException(ErrorCode.InvalidRequest, "a key-ordered poll needs a consumer id, a session timeout and a record count ≥ 0");
        if (poll.ResetTo is not (OffsetSpec.Earliest or OffsetSpec.Latest))
            throw new HubException(ErrorCode.InvalidRequest, "a key-ordered poll resets to the earliest or the latest offset");
        await StartAsync(poll.ResetTo);
        var lease = Touch(poll.ConsumerId, poll.SessionTimeoutMs);
        Acknowledge(poll.ConsumerId, poll.Acks ?? []);
        if (poll.MaxRecords == 0) return [];

        var deadline = time.GetTimestamp() + (long)(Math.Min(Math.Max(0, poll.MaxWaitMs), MaxPollWait.TotalMilliseconds) * (time.TimestampFrequency / 1000.0));
        lease.Waiting++;
        try
        {
            while (true)
            {
                FetchIfRoom();
                var handed = Take(poll.ConsumerId, poll.MaxRecords);
                if (handed.Length > 0) return handed;
                if (_fetchError is { } error) throw error;
                var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero) return [];
                using var cancel = new CancellationTokenSource();
                var changed = _changed.Task;
                if (await Task.WhenAny(changed, Task.Delay(remaining, time, cancel.Token)) == changed) cancel.Cancel();
            }
        }
        finally
        {
            lease.Waiting--;
            lease.LastSeen = time.GetTimestamp();
        }
    }

    public Task Leave(string consumerId)
    {
        if (_consumers.Remove(consumerId)) Release(consumerId);
        return Task.CompletedTask;
    }

    /// <summary>Finds the starting offset once: the group's committed offset if the log still holds it, else the reset policy.</summary>
    private Task StartAsync(long resetTo)
    {
        if (_start is { IsFaulted: true } or { IsCanceled: true }) _start = null;
        return _start ??= LoadStartAsync(resetTo);
    }

    private async Task LoadStartAsync(long resetTo)
    {
        var committed = (await Group.FetchOffsets([new TopicPartition(_topic, _partition)]))[0];
        var state = await (await LeaderAsync()).GetState();
        _committed = committed.Exists ? committed.Offset : -1;
        _nextFetch = committed.Exists && committed.Offset >= state.LogStartOffset && committed.Offset <= state.HighWatermark
            ? committed.Offset
            : resetTo == OffsetSpec.Earliest ? state.LogStartOffset : state.HighWatermark;
        LogStarts(_topic, _partition, _groupId, _nextFetch);
    }

    private Lease Touch(string consumerId, int sessionTimeoutMs)
    {
        if (!_consumers.TryGetValue(consumerId, out var lease)) _consumers[consumerId] = lease = new Lease();
        lease.SessionTimeoutMs = sessionTimeoutMs;
        lease.LastSeen = time.GetTimestamp();
        return lease;
    }

    /// <summary>The first free record of every key with nothing earlier pending or held, up to <paramref name="max"/>.</summary>
    private KeyOrderedRecord[] Take(string consumerId, int max)
    {
        List<KeyOrderedRecord>? handed = null;
        var keysSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _window)
        {
            if (entry.Acked || !keysSeen.Add(entry.Key) || entry.Holder is not null) continue;
            entry.Holder = consumerId;
            (handed ??= []).Add(entry.Record);
            if (handed.Count == max) break;
        }
        return handed?.ToArray() ?? [];
    }

    private void Acknowledge(string consumerId, long[] offsets)
    {
        var any = false;
        foreach (var offset in offsets)
        {
            var index = IndexOf(offset);
            if (index < 0 || _window[index].Holder != consumerId) continue; // released to someone else, or acked already
            _window[index].Holder = null;
            _window[index].Acked = true;
            any = true;
        }
        if (!any) return;
        var done = 0;
        while (done < _window.Count && _window[done].Acked) done++;
        _window.RemoveRange(0, done);
        Signal();
    }

    private void Release(string consumerId)
    {
        var released = 0;
        foreach (var entry in _window)
        {
            if (entry.Holder != consumerId) continue;
            entry.Holder = null;
            released++;
        }
        if (released > 0) Signal();
    }

    /// <summary>First offset not acknowledged: everything before it is done.</summary>
    private long Watermark => _window.Count > 0 ? _window[0].Record.Offset : _nextFetch;

    private int IndexOf(long offset)
    {
        int low = 0, high = _window.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var at = _window[middle].Record.Offset;
            if (at == offset) return middle;
            if (at < offset) low = middle + 1;
            else high = middle - 1;
        }
        return -1;
    }

    private void FetchIfRoom()
    {
        if (_fetching is null or { IsCompleted: true } && _window.Count < WindowRecords && _nextFetch >= 0) _fetching = FetchAsync();
    }

    /// <summary>One long-polling fetch from the partition; its records join the window.</summary>
    private async Task FetchAsync()
    {
        try
        {
            var result = await (await LeaderAsync()).Fetch(new FetchRequest(_nextFetch, FetchMaxBytes, FetchWaitMs));
            _fetchError = null;
            int added;
            using (result.Records) added = Append(result.Records.Memory); // the window keeps copies
            if (added > 0) Signal();
        }
        catch (HubException e) when (e.Code == ErrorCode.OffsetOutOfRange && _window.Count == 0)
        {
            // Retention deleted records nobody had read yet: carry on from the oldest left.
            var earliest = await (await LeaderAsync()).ListOffset(OffsetSpec.Earliest);
            LogOffsetGone(_topic, _partition, _groupId, _nextFetch, earliest.Offset);
            _nextFetch = Math.Max(_nextFetch, earliest.Offset);
        }
        catch (HubException e)
        {
            // Refusals (the topic is gone, a batch can't be read) reach the consumers; they may pass (a new leader).
            _fetchError = e;
            Signal();
            await Task.Delay(FetchRetryDelay, time);
        }
        catch (Exception e)
        {
            LogFetchFailed(e, _topic, _partition, _groupId);
            await Task.Delay(FetchRetryDelay, time);
        }
    }

    /// <summary>Adds the records at or after the next fetch offset; control batches (transaction markers) carry none.</summary>
    private int Append(ReadOnlyMemory<byte> batches)
    {
        var added = 0;
        while (RecordBatchHeader.TryRead(batches.Span, out var header) && header.TotalSize <= batches.Length)
        {
            var batch = batches[..header.TotalSize];
            batches = batches[header.TotalSize..];
            if (header.LastOffset < _nextFetch) continue;
            if (!header.IsControl)
            {
                if (header.Compression == CompressionType.None) added += AppendRecords(batch);
                else
                {
                    // The window keeps copies of the records, so the decompressed batch goes back to the pool at once.
                    using var plain = DecompressOrRefuse(batch, header);
                    added += AppendRecords(plain.WrittenMemory);
                }
            }
            _nextFetch = Math.Max(_nextFetch, header.LastOffset + 1);
        }
        return added;
    }

    /// <summary>Adds copies of the uncompressed batch's records at or after the next fetch offset.</summary>
    private int AppendRecords(ReadOnlyMemory<byte> batch)
    {
        var added = 0;
        var reader = new RecordReader(batch);
        while (reader.MoveNext())
        {
            var record = reader.Current;
            if (record.Offset < _nextFetch) continue;
            var copy = new KeyOrderedRecord(record.Offset, record.Timestamp, record.Key?.ToArray(), record.Value?.ToArray(),
                record.HeaderCount, record.HeaderBytes.ToArray());
            // A null key orders nothing: such records are independent of each other.
            _window.Add(new Entry(copy, copy.Key is { } key ? Convert.ToBase64String(key) : $"\0{record.Offset}"));
            added++;
        }
        return added;
    }

    /// <summary>A batch that doesn't decompress is the consumers' error to see (as a refusal), like any unreadable fetch.</summary>
    private PooledBufferWriter DecompressOrRefuse(ReadOnlyMemory<byte> batch, in RecordBatchHeader header)
    {
        try
        {
            return RecordBatchCompression.Decompress(batch, header);
        }
        catch (InvalidDataException e)
        {
            throw new HubException(ErrorCode.CorruptMessage, $"{_topic}/{_partition}: {e.Message}");
        }
    }

    private async Task Tick()
    {
        var now = time.GetTimestamp();
        foreach (var (id, lease) in _consumers.ToList())
        {
            if (lease.Waiting > 0 || time.GetElapsedTime(lease.LastSeen, now) <= TimeSpan.FromMilliseconds(lease.SessionTimeoutMs)) continue;
            _consumers.Remove(id);
            Release(id);
            LogConsumerTimedOut(_topic, _partition, _groupId, id);
        }
        await CommitIfAdvancedAsync();
    }

    /// <summary>Stores the watermark in the group when it moved (at most one commit at a time).</summary>
    private async Task CommitIfAdvancedAsync()
    {
        if (_start is not { IsCompletedSuccessfully: true } || _committing) return;
        var watermark = Watermark;
        if (watermark <= _committed) return;
        _committing = true;
        try
        {
            await Group.CommitOffsets(new OffsetCommitRequest { Offsets = [new OffsetCommitEntry(_topic, _partition, watermark)] });
            _committed = watermark;
        }
        catch (Exception e)
        {
            // The group has classic members (it is used both ways), or is being deleted: try again next tick.
            LogCommitFailed(_topic, _partition, watermark, _groupId, e.Message);
        }
        finally
        {
            _committing = false;
        }
    }

    private IConsumerGroupGrain Group => GrainFactory.GetGrain<IConsumerGroupGrain>(_groupId);

    /// <summary>
    /// The partition's leader, looked up afresh each time (so no metadata here goes stale); its refusals (no such
    /// partition, no leader) reach the consumers, which retry on stale-metadata errors.
    /// </summary>
    private async Task<IPartitionGrain> LeaderAsync()
    {
        var topic = await GrainFactory.GetGrain<IClusterControllerGrain>(0).GetTopic(_topic)
            ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{_topic}' does not exist");
        return GrainFactory.GetGrain<IPartitionGrain>(topic.LeaderKey(_partition));
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Entry(KeyOrderedRecord record, string key)
    {
        public KeyOrderedRecord Record { get; } = record;

        /// <summary>What orders records: the key's bytes, or a unique id for a null key.</summary>
        public string Key { get; } = key;

        /// <summary>The consumer working on it; null while free or once acknowledged.</summary>
        public string? Holder { get; set; }

        public bool Acked { get; set; }
    }

    private sealed class Lease
    {
        public long LastSeen { get; set; }

        public int SessionTimeoutMs { get; set; }

        /// <summary>Polls of this consumer waiting right now: it is alive while one waits.</summary>
        public int Waiting { get; set; }
    }


    [LoggerMessage(Level = LogLevel.Information, Message = "Key-ordered {Topic}/{Partition} for group {Group} starts at offset {Offset}")]
    private partial void LogStarts(string topic, int partition, string group, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key-ordered {Topic}/{Partition} for group {Group}: offset {Offset} is gone, skipping to {Earliest}")]
    private partial void LogOffsetGone(string topic, int partition, string group, long offset, long earliest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key-ordered {Topic}/{Partition} for group {Group}: fetch failed; retrying")]
    private partial void LogFetchFailed(Exception exception, string topic, int partition, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Key-ordered {Topic}/{Partition} for group {Group}: consumer {Consumer} timed out; its records go to others")]
    private partial void LogConsumerTimedOut(string topic, int partition, string group, string consumer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key-ordered {Topic}/{Partition}: committing offset {Offset} to group {Group} failed: {Error}")]
    private partial void LogCommitFailed(string topic, int partition, long offset, string group, string error);
}
