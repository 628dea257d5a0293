using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Hub.Batches;
using Hub.Client.Consuming;
using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Client;

/// <summary>
/// Reads records from explicitly assigned partitions (Kafka's assign(), no consumer group). Each partition
/// is fetched ahead by its own long-poll loop; <see cref="ConsumeAsync"/> takes their batches in turn.
/// Records are slices of the fetched bytes: they stay valid as long as the application holds them, or, with
/// <see cref="RecordLifetime.UntilNextBatch"/>, <b>only until the consume loop asks for its next item</b>
/// (<see cref="ConsumerOptions.RecordLifetime"/>).
/// </summary>
public sealed class HubConsumer : IAsyncDisposable
{
    private readonly PartitionRouter _router;
    private readonly ConsumerOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Topic, int Partition), PartitionFetcher> _assigned = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        // A pending wake-up is enough: the reader looks at every partition when it wakes.
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly Action _wakeReader;
    private PartitionFetcher[] _fetchers = [];
    private int _consuming;
    private bool _disposed;

    internal HubConsumer(PartitionRouter router, ConsumerOptions options)
    {
        _router = router;
        _options = options.Validated();
        _wakeReader = () => _wake.Writer.TryWrite(true);
    }

    /// <summary>
    /// Starts reading <paramref name="topic"/>/<paramref name="partition"/> at <paramref name="offset"/>: an
    /// offset ≥ 0, <see cref="OffsetSpec.Earliest"/> or <see cref="OffsetSpec.Latest"/>. Assigning a partition
    /// again moves its position (a seek).
    /// </summary>
    public async Task AssignAsync(string topic, int partition, long offset, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        CheckOffset(offset);
        var metadata = await _router.GetTopicAsync(topic, ct).ConfigureAwait(false);
        if ((uint)partition >= (uint)metadata.PartitionCount)
            throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{topic}' has no partition {partition}");
        var start = await ResolveAsync(topic, partition, offset, ct).ConfigureAwait(false);
        await StartAsync(topic, partition, start).ConfigureAwait(false);
    }

    /// <summary>Assigns every partition the topic has now, each at <paramref name="offset"/> (see <see cref="AssignAsync"/>).</summary>
    public async Task AssignAllAsync(string topic, long offset, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        CheckOffset(offset);
        var metadata = await _router.GetTopicAsync(topic, ct).ConfigureAwait(false);
        var starts = await Task.WhenAll(Enumerable.Range(0, metadata.PartitionCount)
            .Select(p => ResolveAsync(topic, p, offset, ct))).ConfigureAwait(false);
        for (var p = 0; p < starts.Length; p++) await StartAsync(topic, p, starts[p]).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops reading the partition; batches fetched from it but not yet consumed are dropped. Does nothing for
    /// a partition that is not assigned.
    /// </summary>
    public async Task UnassignAsync(string topic, int partition)
    {
        PartitionFetcher? removed;
        lock (_lock)
        {
            if (_disposed || !_assigned.Remove((topic, partition), out removed)) return;
            _fetchers = [.. _assigned.Values];
        }
        await removed.StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The assigned partitions' records, in offset order within each partition, one fetched batch per
    /// partition in turn. Runs until <paramref name="ct"/> is cancelled or the consumer is disposed; throws
    /// when a partition cannot be fetched. One enumeration at a time. With <see cref="RecordLifetime.UntilNextBatch"/>
    /// a record is valid only until the next <c>MoveNextAsync</c> (the loop's next iteration).
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        EnterReader();
        var held = default(FetchedBatch);
        try
        {
            var next = 0;
            while (true)
            {
                // Every record of the batch in hand has been handed out and the caller asked for more.
                held.Release();
                held = default;
                if (!TryTakeBatch(Volatile.Read(ref _fetchers), ref next, out var source, out held))
                {
                    if (!await WaitForBatchesAsync(ct).ConfigureAwait(false)) yield break; // disposed
                    continue;
                }
                var batch = held.Bytes;
                // The fetcher queues only whole batches. Control batches (transaction markers a broker writes) carry
                // no data records and reach here as stored, maybe compressed: they are passed over unread.
                RecordBatchHeader.TryRead(batch.Span, out var header);
                if (!header.IsControl)
                {
                    var reader = new RecordReader(batch);
                    while (!source.IsStopped && reader.MoveNext())
                    {
                        var record = reader.Current;
                        if (record.Offset < source.Position) continue; // the fetch started at the batch holding the position
                        source.Position = record.Offset + 1;
                        yield return new ConsumeResult(source.Topic, source.Partition, record);
                    }
                }
                if (!source.IsStopped && header.LastOffset >= source.Position)
                    source.Position = header.LastOffset + 1;
            }
        }
        finally
        {
            held.Release();
            Volatile.Write(ref _consuming, 0);
        }
    }

    /// <summary>
    /// The assigned partitions' records a whole fetched batch at a time, one partition's batch in turn, in
    /// offset order within each partition: for high rates, as walking a batch's records allocates nothing and
    /// costs no step of an async enumeration per record. A partition's position moves past a batch when the
    /// batch is handed out. Runs, throws and ends as <see cref="ConsumeAsync"/> does; one enumeration (of
    /// either kind) at a time. With <see cref="RecordLifetime.UntilNextBatch"/> a batch (its bytes and its
    /// records) is valid only until the next <c>MoveNextAsync</c>.
    /// </summary>
    public async IAsyncEnumerable<ConsumedBatch> ConsumeBatchesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        EnterReader();
        var held = default(FetchedBatch);
        try
        {
            var next = 0;
            while (true)
            {
                // The caller is done with the batch it was handed (or it was passed over).
                held.Release();
                held = default;
                if (!TryTakeBatch(Volatile.Read(ref _fetchers), ref next, out var source, out held))
                {
                    if (!await WaitForBatchesAsync(ct).ConfigureAwait(false)) yield break; // disposed
                    continue;
                }
                var batch = held.Bytes;
                // The fetcher queues only whole batches that end at or after the position it fetched from.
                RecordBatchHeader.TryRead(batch.Span, out var header);
                var position = source.Position;
                if (source.IsStopped || header.LastOffset < position) continue;
                source.Position = header.LastOffset + 1;
                // Control batches (transaction markers a broker writes) carry no data records.
                if (header.IsControl) continue;
                yield return new ConsumedBatch(source.Topic, source.Partition, batch, Math.Max(position, header.BaseOffset), header.LastOffset);
            }
        }
        finally
        {
            held.Release();
            Volatile.Write(ref _consuming, 0);
        }
    }

    /// <summary>Offset of the next record <see cref="ConsumeAsync"/> will return from the partition.</summary>
    public long Position(string topic, int partition) => Assigned(topic, partition).Position;

    /// <summary>The partition's high watermark as last fetched; null before the first fetch reply.</summary>
    public long? HighWatermark(string topic, int partition) => Assigned(topic, partition).HighWatermark;

    /// <summary>Stops fetching; an enumeration of <see cref="ConsumeAsync"/> waiting for records ends.</summary>
    public async ValueTask DisposeAsync()
    {
        PartitionFetcher[] fetchers;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            fetchers = _fetchers;
            _fetchers = [];
            _assigned.Clear();
        }
        await Task.WhenAll(fetchers.Select(f => f.StopAsync())).ConfigureAwait(false);
        _wake.Writer.TryComplete();
    }

    private void EnterReader()
    {
        if (Interlocked.Exchange(ref _consuming, 1) != 0)
            throw new InvalidOperationException("the consumer is already being enumerated; a consumer has one reader at a time");
    }

    /// <summary>Waits until a fetcher has queued a batch (or failed); false once the consumer is disposed.</summary>
    private async ValueTask<bool> WaitForBatchesAsync(CancellationToken ct)
    {
        if (!await _wake.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return false;
        _wake.Reader.TryRead(out _);
        return true;
    }

    private static void CheckOffset(long offset)
    {
        if (offset < 0 && offset is not (OffsetSpec.Earliest or OffsetSpec.Latest))
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "expected an offset >= 0, OffsetSpec.Earliest or OffsetSpec.Latest");
    }

    private async Task<long> ResolveAsync(string topic, int partition, long offset, CancellationToken ct)
    {
        if (offset >= 0) return offset;
        var found = await _router.InvokeAsync(topic, partition,
            grain => grain.ListOffset(offset, isolationLevel: _options.IsolationLevel), ct).ConfigureAwait(false);
        return found.Offset;
    }

    private async Task StartAsync(string topic, int partition, long offset)
    {
        var fetcher = new PartitionFetcher(_router, _options, topic, partition, offset, _wakeReader);
        PartitionFetcher? replaced;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _assigned.Remove((topic, partition), out replaced);
            _assigned.Add((topic, partition), fetcher);
            _fetchers = [.. _assigned.Values];
            fetcher.Start();
        }
        if (replaced is not null) await replaced.StopAsync().ConfigureAwait(false);
        _wakeReader();
    }

    private PartitionFetcher Assigned(string topic, int partition)
    {
        lock (_lock)
        {
            return _assigned.TryGetValue((topic, partition), out var fetcher)
                ? fetcher
                : throw new InvalidOperationException($"partition {topic}/{partition} is not assigned to this consumer");
        }
    }

    /// <summary>Takes a batch from the first partition, starting after the last one served, that has one waiting.</summary>
    private static bool TryTakeBatch(PartitionFetcher[] fetchers, ref int next,
        [NotNullWhen(true)] out PartitionFetcher? source, out FetchedBatch batch)
    {
        for (var i = 0; i < fetchers.Length; i++)
        {
            var fetcher = fetchers[(next + i) % fetchers.Length];
            if (fetcher.TryRead(out batch))
            {
                next = (next + i + 1) % fetchers.Length;
                source = fetcher;
                return true;
            }
        }
        source = null;
        batch = default;
        return false;
    }
}
