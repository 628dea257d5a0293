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
/// Not thread-safe: one cursor uses it, on its pulling agent's turn. <see cref="ReadMore"/> blocks that turn for
/// one fetch (cursors are synchronous in Orleans), bounded by <see cref="FetchTimeout"/>.
/// </para>
/// </summary>
internal sealed class StreamReplay(HubStreamConnection connection, string topic, int partition, StreamId streamId, long from, bool failBelowLogStart)
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    // One fetch per round trip; only the stream's own records are kept from it.
    private const int FetchBytes = 1024 * 1024;

    private readonly Queue<HubBatchContainer> _pending = new();
    private readonly TagList _tags = new() { { "topic", topic }, { "partition", partition } };
    private HubRewindOutOfRangeException? _belowLogStart;

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
        var read = Task.Run(ReadAsync);
        if (!read.Wait(FetchTimeout))
            throw new TimeoutException($"reading {topic}/{partition} at offset {NextOffset} for a rewound subscription took over {FetchTimeout}");
        if (_belowLogStart is { } failure)
        {
            _belowLogStart = null;
            throw failure;
        }
    }

    private async Task ReadAsync()
    {
        using var timeout = new CancellationTokenSource(FetchTimeout);
        FetchResult result;
        try
        {
            result = await connection.Client.Router.InvokeAsync(topic, partition,
                grain => grain.Fetch(new FetchRequest(NextOffset, FetchBytes)), timeout.Token).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Code == ErrorCode.OffsetOutOfRange)
        {
            // Before the log start: retention removed those records, so begin at the earliest retained one.
            // Past the end: nothing to replay; the cache delivers the stream from that offset once it is written.
            var state = await connection.Client.Router.InvokeAsync(topic, partition, grain => grain.GetState(), timeout.Token).ConfigureAwait(false);
            if (NextOffset < state.LogStartOffset)
            {
                if (failBelowLogStart) _belowLogStart = new HubRewindOutOfRangeException(topic, partition, NextOffset, state.LogStartOffset);
                NextOffset = state.LogStartOffset;
            }
            else AtLogEnd = true;
            return;
        }
        var records = result.Records.Memory; // left to the collector, as in the SDK consumer
        var queued = 0;
        while (RecordBatchHeader.TryRead(records.Span, out var header) && header.TotalSize <= records.Length)
        {
            if (header.LastOffset >= NextOffset && !header.IsControl)
            {
                var batch = records[..header.TotalSize];
                // Events may keep slices of the records, so a compressed batch gets an array of its own, as in the SDK consumer.
                var reader = new RecordReader(header.Compression == CompressionType.None ? batch : RecordBatchCompression.DecompressToArray(batch, header));
                while (reader.MoveNext())
                {
                    var record = reader.Current;
                    if (record.Offset < NextOffset || !connection.Codec.BelongsTo(record, streamId)) continue;
                    _pending.Enqueue(connection.Codec.Decode(topic, partition, record));
                    queued++;
                }
            }
            NextOffset = Math.Max(NextOffset, header.LastOffset + 1);
            records = records[header.TotalSize..];
        }
        AtLogEnd = NextOffset >= result.HighWatermark;
        HubStreamMetrics.RecordsReplayed.Add(queued, _tags);
    }
}
