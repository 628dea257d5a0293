using Hub.Topics;

namespace Hub.Silo.Replication;

/// <summary>
/// What a partition leader knows about its followers: how far each has replicated (<see cref="FollowerProgress"/>)
/// and from that the high watermark, the lowest log end among the in-sync replicas: every record below it is on
/// all of them. A follower's log end is unknown until its first fetch under this leader, and the high watermark
/// waits for it. Which followers should join or leave the ISR is <see cref="IsrChangeProposer"/>'s call, from
/// what this records.
/// Not thread-safe: the partition grain calls it within its turns.
/// </summary>
internal sealed class LeaderReplicaSet
{
    private readonly int _localBroker;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, FollowerProgress> _followers = [];

    /// <summary>An ISR asked of the controller and not yet confirmed (see <see cref="Propose"/>).</summary>
    private int[]? _proposedIsr;

    public LeaderReplicaSet(int localBroker, PartitionAssignment assignment, long highWatermark, TimeProvider time)
    {
        _localBroker = localBroker;
        _time = time;
        LeadingSince = time.GetTimestamp();
        Assignment = assignment;
        HighWatermark = highWatermark;
        Update(assignment);
    }

    public int LocalBroker => _localBroker;

    /// <summary>When this leadership began (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LeadingSince { get; }

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
            if (broker != _localBroker && !_followers.ContainsKey(broker)) _followers[broker] = new FollowerProgress(now);
        }
        foreach (var gone in _followers.Keys.Where(b => !assignment.Replicas.Contains(b)).ToArray()) _followers.Remove(gone);
    }

    /// <summary>What the leader knows of <paramref name="broker"/>'s replication; null for a broker that is not a follower.</summary>
    public FollowerProgress? Follower(int broker) => _followers.GetValueOrDefault(broker);

    /// <summary>Records a follower's fetch from <paramref name="fetchOffset"/> while the leader's log ends at <paramref name="leaderLogEnd"/>.</summary>
    public void FollowerFetched(int broker, long fetchOffset, long leaderLogEnd) =>
        Follower(broker)?.Fetched(fetchOffset, leaderLogEnd, _time.GetTimestamp());

    /// <summary>
    /// Notes an ISR change sent to the controller. Until the controller's answer arrives the high watermark counts
    /// both the old and the proposed members (Kafka's "maximal ISR", KIP-497): a follower joining the ISR could be
    /// elected leader as soon as the controller has it, so nothing may be acknowledged that it lacks.
    /// </summary>
    public void Propose(int[] isr) => _proposedIsr = isr;

    /// <summary>Moves the high watermark to the lowest log end in the ISR (never backwards). Returns whether it moved.</summary>
    public bool AdvanceHighWatermark(long leaderLogEnd)
    {
        var lowest = leaderLogEnd;
        foreach (var broker in _proposedIsr is null ? Assignment.InSync : Assignment.InSync.Union(_proposedIsr))
        {
            if (broker == _localBroker) continue;
            lowest = Math.Min(lowest, Follower(broker)?.LogEndOffset ?? -1);
        }
        if (lowest <= HighWatermark) return false;
        HighWatermark = lowest;
        return true;
    }
}
