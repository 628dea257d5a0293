using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Controller;

/// <summary>
/// Who leads a partition, by Kafka's election rules. When a leader's broker dies, the first live replica in the
/// ISR (in replica order) takes over with the leader epoch bumped; with none alive the partition has no leader
/// until one returns, unless its topic sets unclean.leader.election.enable: then the first live replica outside
/// the ISR leads, alone in the ISR, as Kafka's controller elects uncleanly (it may lack acknowledged records, which
/// are lost: the old members truncate to its log when they return). Dead brokers leave the ISR, but the ISR never
/// empties: its last members hold the newest records. Leadership goes back to the preferred replica (replica 0)
/// once it is live and in sync, so leaders stay spread. Every change bumps the assignment's version.
/// </summary>
internal static class LeaderElection
{
    /// <summary>The changes to every partition of <paramref name="topics"/> now that <paramref name="live"/> are the live brokers.</summary>
    public static IReadOnlyList<PartitionChange> AfterMembershipChange(IEnumerable<TopicMetadata> topics, IReadOnlySet<int> live) =>
        topics.SelectMany(topic => topic.Partitions
                .Select(assignment => Reelect(assignment, live, topic.Config.UncleanLeaderElectionEnable))
                .OfType<PartitionAssignment>()
                .Select(updated => new PartitionChange(topic.Name, updated)))
            .ToArray();

    /// <summary>
    /// The changes once <paramref name="broker"/>'s log directory failed: its replicas can neither write nor serve, so
    /// each partition it holds is re-elected as if it were gone (<see cref="Reelect"/> with the others in
    /// <paramref name="live"/>): it leaves the ISR unless it is the last member, and a partition it led gets the
    /// first other live in-sync replica as leader, or none. It is back in an ISR only by catching up after a restart.
    /// </summary>
    public static IReadOnlyList<PartitionChange> AfterLogDirectoryFailure(IEnumerable<TopicMetadata> topics, int broker, IEnumerable<int> live)
    {
        var others = live.Where(b => b != broker).ToHashSet();
        return topics.SelectMany(topic => topic.Partitions
                .Where(assignment => assignment.Replicas.Contains(broker))
                .Select(assignment => Reelect(assignment, others, topic.Config.UncleanLeaderElectionEnable))
                .OfType<PartitionAssignment>()
                .Select(updated => new PartitionChange(topic.Name, updated)))
            .ToArray();
    }

    /// <summary>
    /// The partition's assignment after the brokers in <paramref name="live"/> are all that is left, or null when
    /// nothing changes: dead brokers leave the ISR (never emptying it), and a dead or missing leader is replaced by
    /// the first live in-sync replica, with the epoch bumped; with none, and <paramref name="unclean"/>, by the first
    /// live replica, which becomes the whole ISR.
    /// </summary>
    public static PartitionAssignment? Reelect(PartitionAssignment current, IReadOnlySet<int> live, bool unclean = false)
    {
        var liveIsr = current.Replicas.Where(b => current.InSync.Contains(b) && live.Contains(b)).ToArray();
        var isr = liveIsr.Length > 0 ? liveIsr : current.InSync;
        if (current.HasLeader && live.Contains(current.Leader))
            return isr.Length == current.InSync.Length ? null : current with { Isr = isr, Version = current.Version + 1 };
        if (liveIsr.Length == 0 && unclean && current.Replicas.Where(live.Contains).Take(1).ToArray() is [var outOfSync])
            return current with { Leader = outOfSync, LeaderEpoch = current.LeaderEpoch + 1, Isr = [outOfSync], Version = current.Version + 1 };
        if (liveIsr.Length == 0)
            return current.HasLeader ? current with { Leader = PartitionAssignment.NoLeader, Version = current.Version + 1 } : null;
        return current with { Leader = liveIsr[0], LeaderEpoch = current.LeaderEpoch + 1, Isr = isr, Version = current.Version + 1 };
    }

    /// <summary>
    /// An election an admin asked for (Kafka's ElectLeaders): preferred, the preferred replica leads if it is live and in
    /// sync (PREFERRED_LEADER_NOT_AVAILABLE otherwise); <paramref name="unclean"/>, a partition without a live leader gets
    /// one by <see cref="Reelect"/>'s unclean rule (ELIGIBLE_LEADERS_NOT_AVAILABLE with no live replica). ELECTION_NOT_NEEDED
    /// when the leader is already the one it would be. The new assignment (version bumped), or null with the refusal.
    /// </summary>
    public static (PartitionAssignment? Elected, ErrorCode Error) Requested(PartitionAssignment current, IReadOnlySet<int> live, bool unclean)
    {
        if (unclean)
        {
            if (current.HasLeader && live.Contains(current.Leader)) return (null, ErrorCode.ElectionNotNeeded);
            var elected = Reelect(current, live, unclean: true);
            return elected is { HasLeader: true } ? (elected, ErrorCode.None) : (null, ErrorCode.EligibleLeadersNotAvailable);
        }
        if (current.Leader == current.Replicas[0]) return (null, ErrorCode.ElectionNotNeeded);
        var preferred = PreferredLeaderBack(current, live);
        return preferred == current ? (null, ErrorCode.PreferredLeaderNotAvailable) : (preferred with { Version = current.Version + 1 }, ErrorCode.None);
    }

    /// <summary>
    /// <paramref name="assignment"/> led by its preferred replica when that replica is live, in sync and not already
    /// leading (the epoch bumped); otherwise <paramref name="assignment"/> itself. The version is the caller's to bump.
    /// </summary>
    public static PartitionAssignment PreferredLeaderBack(PartitionAssignment assignment, IReadOnlyCollection<int> live)
    {
        var preferred = assignment.Replicas[0];
        return preferred != assignment.Leader && assignment.InSync.Contains(preferred) && live.Contains(preferred)
            ? assignment with { Leader = preferred, LeaderEpoch = assignment.LeaderEpoch + 1 }
            : assignment;
    }
}
