using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Replication;

/// <summary>
/// What a partition leader knows about its followers: how far each has replicated (the offset of its last
/// fetch), when each was last caught up, and from that the high watermark (the lowest log end among the
/// in-sync replicas: every record below it is on all of them) and which followers should join or leave the
/// ISR. Holds the acks=all appends waiting for the high watermark to pass them.
/// <para>
/// Kafka's rules: a follower is caught up when it fetches from the leader's log end, or from where the log
/// ended at its previous fetch (it then was caught up at that previous time); one not caught up for
/// <c>lagTimeMax</c> leaves the ISR; one that reaches the high watermark, and the leader's log end when its
/// epoch began, joins it. A follower's log end is unknown until its first fetch under this leader, and the high
/// watermark waits for it.
/// </para>
/// Not thread-safe: the partition grain calls it within its turns.
/// </summary>
internal sealed class LeaderReplicaSet
{
    private readonly int _localBroker;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lagTimeMax;
    private readonly Dictionary<int, Follower> _followers = [];
    private readonly PriorityQueue<Waiter, long> _waiters = new();

    /// <summary>An ISR asked of the controller and not yet confirmed (see <see cref="Propose"/>).</summary>
    private int[]? _proposedIsr;
    private readonly long _epochStartOffset;

    private sealed class Follower(long now)
    {
        public long LogEndOffset { get; set; } = -1;
        public long LastCaughtUp { get; set; } = now;
        public long LastFetch { get; set; } = now;
        public long LeaderEndAtLastFetch { get; set; } = long.MaxValue;
    }

    private sealed record Waiter(long Offset, TaskCompletionSource Done);

    /// <param name="epochStartOffset">The leader's log end when it took this epoch: no follower joins the ISR below it.</param>
    public LeaderReplicaSet(int localBroker, PartitionAssignment assignment, long highWatermark, long epochStartOffset, TimeProvider time,
        TimeSpan lagTimeMax)
    {
        _epochStartOffset = epochStartOffset;
        _localBroker = localBroker;
        _time = time;
        _lagTimeMax = lagTimeMax;
        Assignment = assignment;
        HighWatermark = highWatermark;
        Update(assignment);
    }

    public PartitionAssignment Assignment { get; private set; }

    /// <summary>Offsets below this are on every in-sync replica: consumers may read them, acks=all writers hear back.</summary>
    public long HighWatermark { get; private set; }

    /// <summary>Takes the controller's newer view (ISR changes); followers new to the replica list start unknown.</summary>
    public void Update(PartitionAssignment assignment)
    {
        Assignment = assignment;
        _proposedIsr = null;
        var now = _time.GetTimestamp();
        foreach (var broker in assignment.Replicas)
        {
            if (broker != _localBroker && !_followers.ContainsKey(broker)) _followers[broker] = new Follower(now);
        }
        foreach (var gone in _followers.Keys.Where(b => !assignment.Replicas.Contains(b)).ToArray()) _followers.Remove(gone);
    }

    /// <summary>Records a follower's fetch from <paramref name="fetchOffset"/> while the leader's log ends at <paramref name="leaderLogEnd"/>.</summary>
    public void FollowerFetched(int broker, long fetchOffset, long leaderLogEnd)
    {
        if (!_followers.TryGetValue(broker, out var follower)) return;
        var now = _time.GetTimestamp();
        if (fetchOffset >= leaderLogEnd) follower.LastCaughtUp = now;
        else if (fetchOffset >= follower.LeaderEndAtLastFetch) follower.LastCaughtUp = follower.LastFetch;
        follower.LogEndOffset = fetchOffset;
        follower.LastFetch = now;
        follower.LeaderEndAtLastFetch = leaderLogEnd;
    }

    /// <summary>
    /// Notes an ISR change sent to the controller. Until the controller's answer arrives the high watermark counts
    /// both the old and the proposed members (Kafka's "maximal ISR", KIP-497): a follower joining the ISR could be
    /// elected leader as soon as the controller has it, so nothing may be acknowledged that it lacks.
    /// </summary>
    public void Propose(int[] isr) => _proposedIsr = isr;

    /// <summary>
    /// Moves the high watermark to the lowest log end in the ISR (never backwards) and completes the waiters it
    /// passed. Returns whether it moved.
    /// </summary>
    public bool AdvanceHighWatermark(long leaderLogEnd)
    {
        var lowest = leaderLogEnd;
        foreach (var broker in _proposedIsr is null ? Assignment.InSync : Assignment.InSync.Union(_proposedIsr))
        {
            if (broker == _localBroker) continue;
            lowest = Math.Min(lowest, _followers.TryGetValue(broker, out var f) ? f.LogEndOffset : -1);
        }
        if (lowest <= HighWatermark) return false;
        HighWatermark = lowest;
        while (_waiters.TryPeek(out var waiter, out var offset) && offset <= HighWatermark)
        {
            _waiters.Dequeue();
            waiter.Done.TrySetResult();
        }
        return true;
    }

    /// <summary>The ISR this leader wants: laggards out, caught-up followers in; null when it is right as it is.</summary>
    public int[]? WantedIsr()
    {
        var now = _time.GetTimestamp();
        var isr = Assignment.InSync;
        var wanted = Assignment.Replicas.Where(broker => broker == _localBroker || (_followers.TryGetValue(broker, out var f) && (isr.Contains(broker)
            ? _time.GetElapsedTime(f.LastCaughtUp, now) <= _lagTimeMax
            : f.LogEndOffset >= Math.Max(HighWatermark, _epochStartOffset)))).ToArray();
        return wanted.Length == isr.Length && wanted.All(isr.Contains) ? null : wanted;
    }

    /// <summary>Completes once the high watermark reaches <paramref name="offset"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForHighWatermark(long offset, TimeSpan timeout)
    {
        if (offset <= HighWatermark) return;
        var waiter = new Waiter(offset, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _waiters.Enqueue(waiter, offset);
        try
        {
            await waiter.Done.Task.WaitAsync(timeout, _time);
        }
        catch (TimeoutException)
        {
            throw new HubException(ErrorCode.RequestTimedOut,
                $"the in-sync replicas {string.Join(",", Assignment.InSync)} did not all confirm offset {offset - 1} within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Fails every waiting acks=all append: this replica no longer leads, so it can't promise them.</summary>
    public void Abandon(HubException reason)
    {
        while (_waiters.TryDequeue(out var waiter, out _)) waiter.Done.TrySetException(reason);
    }
}
