using System.Threading.Channels;
using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Client.Consuming;

/// <summary>
/// Fetches one assigned partition ahead of the reader: a long-poll loop that splits each reply into whole
/// batches and queues them in a bounded channel, so fetching pauses when the reader falls behind. Records are
/// slices of the fetched (or decompressed) bytes, never copies; <see cref="ConsumerOptions.RecordLifetime"/> says
/// whether those buffers are left to the garbage collector or go back to their pool once the reader has moved past
/// their batch (<see cref="FetchedBatch.Release"/>).
/// </summary>
internal sealed class PartitionFetcher
{
    /// <summary>Failed fetches in a row (other than Hub's own refusals) tolerated before the error reaches the reader.</summary>
    private const int MaxConsecutiveFailures = 5;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private const long NoHighWatermark = -1;

    private readonly PartitionRouter _router;
    private readonly ConsumerOptions _options;
    private readonly Action _onBatch;
    private readonly Channel<FetchedBatch> _batches;

    /// <summary>Where each whole batch of the reply being queued starts; reused from fetch to fetch.</summary>
    private readonly List<(int Position, RecordBatchHeader Header)> _replyBatches = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _position;
    private long _highWatermark = NoHighWatermark;
    private volatile bool _stopped;

    /// <param name="onBatch">Called after each queued batch, and when fetching fails, to wake the reader.</param>
    public PartitionFetcher(PartitionRouter router, ConsumerOptions options, string topic, int partition, long offset, Action onBatch)
    {
        _router = router;
        _options = options;
        _onBatch = onBatch;
        Topic = topic;
        Partition = partition;
        _position = offset;
        _batches = Channel.CreateBounded<FetchedBatch>(new BoundedChannelOptions(options.PrefetchBatches)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
    }

    public string Topic { get; }

    public int Partition { get; }

    /// <summary>Offset of the next record to hand to the reader; the reader advances it.</summary>
    public long Position
    {
        get => Volatile.Read(ref _position);
        set => Volatile.Write(ref _position, value);
    }

    /// <summary>The partition's high watermark as of the last fetch; null before the first reply.</summary>
    public long? HighWatermark => Volatile.Read(ref _highWatermark) is var hw and not NoHighWatermark ? hw : null;

    public bool IsStopped => _stopped;

    public void Start() => _loop = Task.Run(FetchLoopAsync);

    /// <summary>
    /// The next fetched batch, if one is waiting; the reader releases it once done with it. Once the batches
    /// fetched before a failure are used up, throws the error that stopped fetching.
    /// </summary>
    public bool TryRead(out FetchedBatch batch)
    {
        if (_batches.Reader.TryRead(out batch)) return true;
        var completion = _batches.Reader.Completion;
        if (completion.IsFaulted) completion.GetAwaiter().GetResult();
        return false;
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task FetchLoopAsync()
    {
        var ct = _stop.Token;
        var offset = Position;
        var failures = 0;
        try
        {
            while (true)
            {
                var request = new FetchRequest(offset, _options.MaxPartitionFetchBytes, _options.MaxWaitMs, _options.MinBytes,
                    IsolationLevel: _options.IsolationLevel);
                FetchResult result;
                try
                {
                    result = await _router.InvokeAsync(Topic, Partition, grain => grain.Fetch(request), ct).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception e) when (e is not (HubException or OperationCanceledException) && ++failures < MaxConsecutiveFailures)
                {
                    // A lost connection or a timed-out call may pass; Hub's own refusals (HubException) won't.
                    await Task.Delay(FirstRetryDelay * (1 << failures), ct).ConfigureAwait(false);
                    continue;
                }
                Volatile.Write(ref _highWatermark, result.HighWatermark);
                offset = await QueueBatchesAsync(result.Records, result.AbortedTransactions, offset, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _batches.Writer.TryComplete();
        }
        catch (Exception error)
        {
            _batches.Writer.TryComplete(error);
            _onBatch();
        }
    }

    /// <summary>
    /// Queues the whole batches of a fetch reply that hold records at or after <paramref name="offset"/>
    /// (a fetch starts with the whole batch containing the offset); returns the offset to fetch next. With
    /// <see cref="RecordLifetime.Unbounded"/> the reply is never disposed: records handed to the application are
    /// slices of it, kept as long as the application likes, so it is left to the collector. With
    /// <see cref="RecordLifetime.UntilNextBatch"/> the last batch queued carries the reply, which goes back to the
    /// pool when the reader releases that batch (or at once, when nothing of it is queued). Batches of
    /// <paramref name="aborted"/> transactions are passed over (read_committed).
    /// </summary>
    private async ValueTask<long> QueueBatchesAsync(PooledBatches reply, AbortedTransaction[] aborted, long offset, CancellationToken ct)
    {
        var records = reply.Memory;
        var batches = WholeBatchesFrom(records.Span, offset, aborted, out var next);
        // A reply may end in a partial batch (it is fetched again next time), but one with no whole batch
        // would make no progress.
        if (next == offset && !records.IsEmpty) throw new InvalidDataException($"fetch at offset {offset} of {Topic}/{Partition} returned no whole batch");
        if (batches.Count == 0)
        {
            reply.Dispose();
            return next;
        }
        var pooled = _options.RecordLifetime == RecordLifetime.UntilNextBatch;
        for (var i = 0; i < batches.Count; i++)
        {
            var (position, header) = batches[i];
            var carriesReply = pooled && i == batches.Count - 1;
            await _batches.Writer.WriteAsync(Readable(records.Slice(position, header.TotalSize), header, carriesReply ? reply : null), ct)
                .ConfigureAwait(false);
            _onBatch();
        }
        return next;
    }

    /// <summary>
    /// The reply's whole batches that end at or after <paramref name="offset"/>, with where each starts, but those of
    /// <paramref name="aborted"/> transactions; <paramref name="next"/> is the offset after the last whole batch (or
    /// <paramref name="offset"/> when there is none).
    /// </summary>
    private List<(int Position, RecordBatchHeader Header)> WholeBatchesFrom(ReadOnlySpan<byte> records, long offset, AbortedTransaction[] aborted, out long next)
    {
        _replyBatches.Clear();
        next = offset;
        for (var position = 0; RecordBatchHeader.TryRead(records[position..], out var header) && header.TotalSize <= records.Length - position;)
        {
            if (header.BatchLength < RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead)
                throw new InvalidDataException($"batch at offset {header.BaseOffset} of {Topic}/{Partition} has a bad length {header.BatchLength}");
            if (header.LastOffset >= offset)
            {
                if (!AbortedTransaction.AnyHolds(aborted, header)) _replyBatches.Add((position, header));
                next = header.LastOffset + 1;
            }
            position += header.TotalSize;
        }
        return _replyBatches;
    }

    /// <summary>
    /// The batch as the reader walks it: a compressed one decompressed (once, here on the fetch loop, so the
    /// reader's records are slices of it like any batch's), into an array of its own when records live on
    /// unbounded, or into a pooled buffer the batch gives back when released. Control batches carry no records for
    /// the reader, so they stay as they are.
    /// </summary>
    private FetchedBatch Readable(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, PooledBatches? reply)
    {
        if (header.Compression == CompressionType.None || header.IsControl) return new FetchedBatch(batch, null, reply);
        try
        {
            if (_options.RecordLifetime == RecordLifetime.Unbounded)
                return new FetchedBatch(RecordBatchCompression.DecompressToArray(batch, header), null, null);
            var plain = RecordBatchCompression.DecompressToBatch(batch, header);
            return new FetchedBatch(plain.WrittenMemory, plain, reply);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{Topic}/{Partition}: {e.Message}", e);
        }
    }
}
