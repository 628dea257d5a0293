using System.Threading.Channels;
using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Client.Consuming;

/// <summary>
/// Fetches one assigned partition ahead of the reader: a long-poll loop that splits each reply into whole
/// batches and queues them in a bounded channel, so fetching pauses when the reader falls behind.
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
    private readonly Channel<ReadOnlyMemory<byte>> _batches;
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
        _batches = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(options.PrefetchBatches)
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
    /// The next fetched batch, if one is waiting. Once the batches fetched before a failure are used up,
    /// throws the error that stopped fetching.
    /// </summary>
    public bool TryRead(out ReadOnlyMemory<byte> batch)
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
                var request = new FetchRequest(offset, _options.MaxPartitionFetchBytes, _options.MaxWaitMs, _options.MinBytes);
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
                // Never disposed: records handed to the application are slices of these bytes, and nothing in
                // the consumer's API bounds how long it may keep them, so the buffer is left to the collector.
                offset = await QueueBatchesAsync(result.Records.Memory, offset, ct).ConfigureAwait(false);
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
    /// (a fetch starts with the whole batch containing the offset); returns the offset to fetch next.
    /// </summary>
    private async ValueTask<long> QueueBatchesAsync(ReadOnlyMemory<byte> records, long offset, CancellationToken ct)
    {
        var requested = offset;
        while (RecordBatchHeader.TryRead(records.Span, out var header) && header.TotalSize <= records.Length)
        {
            if (header.BatchLength < RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead)
                throw new InvalidDataException($"batch at offset {header.BaseOffset} of {Topic}/{Partition} has a bad length {header.BatchLength}");
            if (header.LastOffset >= offset)
            {
                await _batches.Writer.WriteAsync(Readable(records[..header.TotalSize], header), ct).ConfigureAwait(false);
                _onBatch();
                offset = header.LastOffset + 1;
            }
            records = records[header.TotalSize..];
        }
        // A reply may end in a partial batch (it is fetched again next time), but one with no whole batch
        // would make no progress.
        if (offset == requested && !records.IsEmpty)
            throw new InvalidDataException($"fetch at offset {requested} of {Topic}/{Partition} returned no whole batch");
        return offset;
    }

    /// <summary>
    /// The batch as the reader walks it: a compressed one decompressed (once, here on the fetch loop, so the
    /// reader's records are slices of it like any batch's), in an array of its own for the same reason the fetched
    /// bytes are never pooled. Control batches carry no records for the reader, so they stay as they are.
    /// </summary>
    private ReadOnlyMemory<byte> Readable(ReadOnlyMemory<byte> batch, in RecordBatchHeader header)
    {
        if (header.Compression == CompressionType.None || header.IsControl) return batch;
        try
        {
            return RecordBatchCompression.DecompressToArray(batch, header);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{Topic}/{Partition}: {e.Message}", e);
        }
    }
}
