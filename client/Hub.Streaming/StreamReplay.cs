using System.Diagnostics;
using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Streaming;

/// <summary>
/// Reads one stream's records straight from its Hub partition, from a given offset on: what a subscriber that
/// rewound to a position older than the cache gets until it has caught up with the cache. A position older than
/// the partition's log start (retention removed it) starts at the earliest retained record, after
/// <see cref="ReadMore"/> threw a <see cref="HubRewindOutOfRangeException"/> if <paramref name="failBelowLogStart"/>.
/// <para>
/// Not thread-safe: one cursor uses it, on its pulling agent's turn. <see cref="ReadMore"/> blocks that turn until
/// one fetch arrived (cursors are synchronous in Orleans), bounded by <see cref="FetchTimeout"/>; the next fetch is
/// sent as soon as one arrives, so it is usually there by the time the agent delivered the records of the last.
/// </para>
/// </summary>
internal sealed class StreamReplay(HubStreamConnection connection, string topic, int partition, StreamId streamId, long from, bool failBelowLogStart)
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    // One fetch per round trip; only the stream's own records are kept from it.
    private const int FetchBytes = 1024 * 1024;

    private readonly Queue<HubBatchContainer> _pending = new();
    private readonly TagList _tags = new() { { "topic", topic }, { "partition", partition } };
    private Task<Stretch>? _next;

    /// <summary>The offset the next read starts at: every record of the stream before it has been queued.</summary>
    public long NextOffset { get; private set; } = from;

    /// <summary>Whether the last read reached the partition's high watermark.</summary>
    public bool AtLogEnd { get; private set; }

    public bool TryTake(out HubBatchContainer container) => _pending.TryDequeue(out container!);

    /// <summary>Reads the next stretch of the partition; the stream's records in it become available to <see cref="TryTake"/>.</summary>
    /// <exception cref="HubRewindOutOfRangeException">The read began below the log start and the provider fails such rewinds; the replay goes on from the log start.</exception>
    public void ReadMore()
    {
        // Off the agent's scheduler: the grain calls complete on the thread pool while this turn waits.
        var read = _next ?? Task.Run(() => ReadAsync(NextOffset));
        _next = null;
        if (!read.Wait(FetchTimeout))
            throw new TimeoutException($"reading {topic}/{partition} at offset {NextOffset} for a rewound subscription took over {FetchTimeout}");
        var stretch = read.GetAwaiter().GetResult();
        foreach (var record in stretch.Records) _pending.Enqueue(record);
        HubStreamMetrics.RecordsReplayed.Add(stretch.Records.Count, _tags);
        NextOffset = stretch.NextOffset;
        AtLogEnd = stretch.AtLogEnd;
        if (!AtLogEnd) _next = Task.Run(() => ReadAsync(NextOffset));
        if (stretch.BelowLogStart is { } failure) throw failure;
    }

    private async Task<Stretch> ReadAsync(long offset)
    {
        using var timeout = new CancellationTokenSource(FetchTimeout);
        FetchResult result;
        try
        {
            result = await connection.Client.Router.InvokeAsync(topic, partition,
                grain => grain.Fetch(new FetchRequest(offset, FetchBytes)), timeout.Token).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Code == ErrorCode.OffsetOutOfRange)
        {
            // Before the log start: retention removed those records, so begin at the earliest retained one.
            // Past the end: nothing to replay; the cache delivers the stream from that offset once it is written.
            var state = await connection.Client.Router.InvokeAsync(topic, partition, grain => grain.GetState(), timeout.Token).ConfigureAwait(false);
            return offset < state.LogStartOffset
                ? new Stretch([], state.LogStartOffset, false,
                    failBelowLogStart ? new HubRewindOutOfRangeException(topic, partition, offset, state.LogStartOffset) : null)
                : new Stretch([], offset, true, null);
        }
        var records = result.Records.Memory; // left to the collector, as in the SDK consumer
        var stream = new List<HubBatchContainer>();
        var next = offset;
        while (RecordBatchHeader.TryRead(records.Span, out var header) && header.TotalSize <= records.Length)
        {
            // Markers carry no events, and an aborted transaction's records never happened.
            if (header.LastOffset >= next && !header.IsControl && !AbortedTransaction.AnyHolds(result.AbortedTransactions, header))
            {
                var batch = records[..header.TotalSize];
                // Events may keep slices of the records, so a compressed batch gets an array of its own, as in the SDK consumer.
                var reader = new RecordReader(header.Compression == CompressionType.None ? batch : RecordBatchCompression.DecompressToArray(batch, header));
                while (reader.MoveNext())
                {
                    var record = reader.Current;
                    if (record.Offset < next || !connection.Codec.BelongsTo(record, streamId)) continue;
                    stream.Add(connection.Codec.Decode(topic, partition, record));
                }
            }
            next = Math.Max(next, header.LastOffset + 1);
            records = records[header.TotalSize..];
        }
        // Read committed: the log's end for this read is the last stable offset.
        return new Stretch(stream, next, next >= Math.Min(result.LastStableOffset, result.HighWatermark), null);
    }

    /// <summary>What one fetch gave: the stream's records in it, where the next read starts, and a rewind failure to report.</summary>
    private sealed record Stretch(List<HubBatchContainer> Records, long NextOffset, bool AtLogEnd, HubRewindOutOfRangeException? BelowLogStart);
}
