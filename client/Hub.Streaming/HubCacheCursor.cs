using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// A subscriber's position in its partition's cache, which starts with a replay from Hub when the subscriber
/// asked for a position older than the cache holds; once the replay reaches what the cache holds, it
/// continues in the cache, so no record is skipped or delivered twice at the switch. A replay reads at most one
/// fetch per move; one that found none of the stream's records yields a <see cref="HubReplayProgress"/>, so the
/// agent's other streams are served between fetches.
/// </summary>
// MoveNext is obsolete in Orleans 10.4 in favour of MoveNextWithResult, whose default implementation calls it.
#pragma warning disable CS0618
internal sealed class HubCacheCursor : IQueueCacheCursor
{
    private readonly HubQueueCache _cache;
    private readonly StreamId _streamId;
    private StreamReplay? _replay;
    private IQueueCacheCursor? _cursor;
    private IBatchContainer? _current;

    // The last offset this cursor handed out (a record or progress), and whether a fetch happened since.
    private long _handedOut = -1;
    private bool _readSinceHandedOut;

    public HubCacheCursor(HubQueueCache cache, IQueueCacheCursor cursor)
    {
        _cache = cache;
        _cursor = cursor;
    }

    public HubCacheCursor(HubQueueCache cache, StreamReplay replay, StreamId streamId)
    {
        _cache = cache;
        _replay = replay;
        _streamId = streamId;
        _handedOut = replay.NextOffset - 1;
    }

    public IBatchContainer? GetCurrent(out Exception? exception)
    {
        exception = null;
        return _current;
    }

    public bool MoveNext()
    {
        while (_replay is { } replay)
        {
            if (replay.TryTake(out var replayed))
            {
                return HandOut(replayed, replayed.Token.Offset);
            }
            // The cache takes over once it holds every record from here on. Before the cache saw any record,
            // the receiver starts at or before the log end the replay reached, so the cache will hold them.
            if (_cache.CanServe(replay.NextOffset) || (_cache.IsUnstarted && replay.AtLogEnd))
            {
                _cursor = _cache.CursorAt(_streamId, replay.NextOffset);
                _replay = null;
                break;
            }
            if (_readSinceHandedOut && replay.NextOffset - 1 > _handedOut)
                return HandOut(new HubReplayProgress(_streamId, new HubSequenceToken(_cache.Partition, replay.NextOffset - 1)), replay.NextOffset - 1);
            try
            {
                _readSinceHandedOut = true;
                replay.ReadMore();
            }
            catch (HubRewindOutOfRangeException e)
            {
                // Orleans hands the error to the subscriber and asks for a cursor at the same position again.
                _cache.ReportedRewind(_streamId, e.RequestedOffset);
                throw;
            }
        }
        _current = _cursor!.MoveNext() ? _cursor.GetCurrent(out _) : null;
        return _current is not null;
    }

    private bool HandOut(IBatchContainer container, long offset)
    {
        _current = container;
        _handedOut = offset;
        _readSinceHandedOut = false;
        return true;
    }

    public void Refresh(StreamSequenceToken token) => _cursor?.Refresh(token);

    public void RecordDeliveryFailure() => _cursor?.RecordDeliveryFailure();

    public void Dispose() => _cursor?.Dispose();
}
