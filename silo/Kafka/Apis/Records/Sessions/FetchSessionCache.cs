using Hub.Errors;
using Hub.Silo.Configuration;

namespace Hub.Silo.Kafka.Apis.Records.Sessions;

/// <summary>
/// The fetch sessions of one silo (KIP-227), at most <see cref="HubSiloOptions.FetchSessionCacheSlots"/>. When full,
/// a new session takes the slot of the least recently used one if that was idle for <see cref="MinEvictionIdle"/>,
/// else none is created and the client keeps sending full fetches. Sessions live in memory only: a client whose
/// session is gone (silo restart, eviction) gets FETCH_SESSION_ID_NOT_FOUND and starts a new one, as with Kafka.
/// </summary>
internal sealed class FetchSessionCache
{
    /// <summary>
    /// A session is evicted for a new one only after this long unused (Kafka's min.incremental.fetch.session.eviction.ms):
    /// consumers fetch every max_wait (0.5 s by default), so a busy cache doesn't churn the sessions of live consumers.
    /// </summary>
    public static readonly TimeSpan MinEvictionIdle = TimeSpan.FromMinutes(2);

    private readonly Dictionary<int, FetchSession> _sessions = new();
    private readonly int _slots;
    private readonly TimeProvider _time;

    public FetchSessionCache(int slots, TimeProvider time)
    {
        _slots = Math.Max(slots, 0);
        _time = time;
    }

    public int Count
    {
        get { lock (_sessions) return _sessions.Count; }
    }

    /// <summary>
    /// Decides how a Fetch v7+ is answered: epoch -1 is a full fetch without a session, 0 a full fetch creating one
    /// (both close the session named), any other continues the session named (see <see cref="FetchSession.Update"/>).
    /// </summary>
    public FetchSessionContext Begin(int sessionId, int epoch, bool usesTopicIds, IReadOnlyList<FetchSessionEntry> partitions, IReadOnlyList<FetchSessionKey> forgotten)
    {
        if (epoch is FetchSessionEpochs.Final or FetchSessionEpochs.Initial)
        {
            if (sessionId != 0) Remove(sessionId);
            return FetchSessionContext.Full(partitions, epoch == FetchSessionEpochs.Initial ? TryCreate(usesTopicIds, partitions) : null);
        }
        var session = Get(sessionId);
        if (session is null) return FetchSessionContext.Failed(ErrorCode.FetchSessionIdNotFound);
        var error = session.Update(epoch, usesTopicIds, partitions, forgotten, out var all);
        if (error != ErrorCode.None) return FetchSessionContext.Failed(error);
        if (all.Length > 0) return new FetchSessionContext(ErrorCode.None, session, Incremental: true, all);
        // As in Kafka, a session left without partitions is closed and the (empty) answer is sessionless.
        Remove(sessionId);
        return FetchSessionContext.Full([]);
    }

    private FetchSession? Get(int sessionId)
    {
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(sessionId, out var session)) return null;
            session.LastUsed = _time.GetTimestamp();
            return session;
        }
    }

    private void Remove(int sessionId)
    {
        lock (_sessions) _sessions.Remove(sessionId);
    }

    /// <summary>A new session of <paramref name="partitions"/>, or null when every slot is held by one used within <see cref="MinEvictionIdle"/>.</summary>
    private FetchSession? TryCreate(bool usesTopicIds, IReadOnlyList<FetchSessionEntry> partitions)
    {
        lock (_sessions)
        {
            var now = _time.GetTimestamp();
            if (_sessions.Count >= _slots)
            {
                // A linear scan, only when full: at most a few thousand sessions, and no bookkeeping on the fetch path.
                var oldest = _sessions.Values.MinBy(s => s.LastUsed);
                if (oldest is null || _time.GetElapsedTime(oldest.LastUsed, now) < MinEvictionIdle) return null;
                _sessions.Remove(oldest.Id);
            }
            var session = new FetchSession(NewId(), usesTopicIds) { LastUsed = now };
            session.AddInitial(partitions);
            _sessions.Add(session.Id, session);
            return session;
        }
    }

    /// <summary>A random positive id not in use, as Kafka's: a client can't guess another's session from its own.</summary>
    private int NewId()
    {
        int id;
        do id = Random.Shared.Next(1, int.MaxValue);
        while (_sessions.ContainsKey(id));
        return id;
    }
}
