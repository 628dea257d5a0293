using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// The cache of one partition: Orleans' <see cref="SimpleQueueCache"/>, which never drops a record a
/// subscriber has not passed (a slow subscriber puts the cache under pressure, and the agent stops reading
/// instead), plus replay from Hub for subscribers that ask for a position older than the cache holds. Orleans'
/// caches answer that with "item not found in cache"; here such a cursor reads the stream's older records
/// from the partition, then continues in the cache.
/// <para>
/// A stream lives in one partition only while its topic's partition count stays; once partitions are added,
/// its key maps to another one and its newer events come from there, so one subscription can be fed by two
/// queues. A token names its partition, and a token of another partition (or <see cref="HubSequenceToken.AtOffset"/>
/// here, when the stream's key now maps elsewhere) is no position in this one: the cache answers it as a cache
/// miss, on which Orleans' agent keeps the subscriber at the record it was about to deliver from this partition
/// (or at the stream's first record it read), rather than reading an offset of one partition in another.
/// </para>
/// <para>Called only on its pulling agent's turn, like every queue cache.</para>
/// </summary>
// Orleans 10.4 marks the cursor-returning calls obsolete in favour of result-returning ones whose default
// implementations call them; SimpleQueueCache offers only these.
#pragma warning disable CS0618
internal sealed class HubQueueCache(HubStreamConnection connection, string topic, int partition, int size,
    Func<StreamId, int?> currentPartitionOf, ILogger logger) : IQueueCache
{
    private readonly SimpleQueueCache _cache = new(size, logger);

    // Rewinds below the log start already reported to a subscriber (RewindBelowLogStart.Fail): Orleans asks
    // again for a cursor at the same position after the error, and that one starts at the earliest record.
    private readonly HashSet<(StreamId Stream, long Offset)> _reportedRewinds = [];

    // Every record at or after this offset that the receiver handed on is still in the cache (or will be);
    // null until the first records arrive.
    private long? _cachedFrom;

    public int Partition => partition;

    public int GetMaxAddCount() => _cache.GetMaxAddCount();

    public bool IsUnderPressure() => _cache.IsUnderPressure();

    public void AddToCache(IList<IBatchContainer> messages)
    {
        if (messages.Count == 0) return;
        _cachedFrom ??= ((HubBatchContainer)messages[0]).Token.Offset;
        _cache.AddToCache(messages);
    }

    public bool TryPurgeFromCache([MaybeNullWhen(false)] out IList<IBatchContainer> purgedItems)
    {
        if (!_cache.TryPurgeFromCache(out purgedItems)) return false;
        foreach (var item in purgedItems) _cachedFrom = Math.Max(_cachedFrom ?? 0, ((HubBatchContainer)item).Token.Offset + 1);
        return true;
    }

    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token) => token switch
    {
        null => new HubCacheCursor(this, _cache.GetCacheCursor(streamId, null)),
        HubSequenceToken position when !IsPositionHere(streamId, position) =>
            throw new QueueCacheMissException(position, new HubSequenceToken(partition, _cachedFrom ?? 0), new HubSequenceToken(partition, _cachedFrom ?? 0)),
        HubSequenceToken position when CanServe(position.Offset) => new HubCacheCursor(this, _cache.GetCacheCursor(streamId, position)),
        HubSequenceToken position => new HubCacheCursor(this, new StreamReplay(connection, topic, partition, streamId, position.Offset,
            failBelowLogStart: connection.Options.RewindBelowLogStart == RewindBelowLogStart.Fail && !_reportedRewinds.Remove((streamId, position.Offset))), streamId),
        _ => throw new ArgumentException($"Hub streams take a HubSequenceToken, not {token.GetType().Name}", nameof(token)),
    };

    /// <summary>
    /// Orleans' start positions: <see cref="StreamSubscriptionStartPosition.EarliestAvailable"/> means the earliest
    /// record Hub retains for the stream (not only the cache's), <see cref="StreamSubscriptionStartPosition.Latest"/>
    /// the next record to arrive.
    /// </summary>
    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursorAtPosition(StreamId streamId, StreamSubscriptionStartPosition startPosition) =>
        QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(GetCacheCursor(streamId,
            startPosition == StreamSubscriptionStartPosition.EarliestAvailable ? new HubSequenceToken(partition, 0) : null));

    /// <summary>
    /// Whether a cursor may continue at <paramref name="offset"/> in the cache without missing a record:
    /// the cache holds (or will hold) every record from there on.
    /// </summary>
    internal bool CanServe(long offset) => _cachedFrom is { } from && offset >= from;

    /// <summary>Whether nothing reached the cache yet, so every record the receiver reads will.</summary>
    internal bool IsUnstarted => _cachedFrom is null;

    internal IQueueCacheCursor CursorAt(StreamId streamId, long offset) =>
        _cache.GetCacheCursor(streamId, new HubSequenceToken(partition, offset));

    /// <summary>Notes that a subscriber was told its rewind to <paramref name="offset"/> was below the log start.</summary>
    internal void ReportedRewind(StreamId streamId, long offset) => _reportedRewinds.Add((streamId, offset));

    // An offset without a partition means the partition the stream's key maps to now; offset 0 (Earliest) is
    // the start of every partition.
    private bool IsPositionHere(StreamId streamId, HubSequenceToken position) =>
        position.Partition == partition
        || (position.Partition == HubSequenceToken.AnyPartition && (position.Offset == 0 || currentPartitionOf(streamId) == partition));
}
