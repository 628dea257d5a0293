namespace Hub.Silo.Replication;

/// <summary>
/// How far one follower has replicated, as its leader sees it from the follower's fetches. Kafka's rule for
/// "caught up": a fetch from the leader's log end, or from where the log ended at the previous fetch (the
/// follower then was caught up at that previous time).
/// </summary>
internal sealed class FollowerProgress(long now)
{
    /// <summary>The offset of the follower's last fetch (its log end); -1 until its first fetch under this leader.</summary>
    public long LogEndOffset { get; private set; } = -1;

    /// <summary>When (a <see cref="TimeProvider"/> timestamp) the follower was last caught up; its first sighting counts.</summary>
    public long LastCaughtUp { get; private set; } = now;

    private long _lastFetch = now;
    private long _leaderEndAtLastFetch = long.MaxValue;

    /// <summary>Records a fetch from <paramref name="fetchOffset"/> at <paramref name="now"/>, while the leader's log ends at <paramref name="leaderLogEnd"/>.</summary>
    public void Fetched(long fetchOffset, long leaderLogEnd, long now)
    {
        if (fetchOffset >= leaderLogEnd) LastCaughtUp = now;
        else if (fetchOffset >= _leaderEndAtLastFetch) LastCaughtUp = _lastFetch;
        LogEndOffset = fetchOffset;
        _lastFetch = now;
        _leaderEndAtLastFetch = leaderLogEnd;
    }
}
