using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Controller;

/// <summary>
/// Whether a leader's request to change its in-sync replicas (Kafka's AlterPartition) applies, and the assignment
/// it leads to. Only the current leader may ask, and only from the current version: a request based on an older
/// view (a deposed leader, or one that missed a change) is refused and its sender gets the assignment as it stands.
/// The new ISR must hold the leader and only replicas of the partition; it is kept in replica order.
/// </summary>
internal static class IsrChangeRules
{
    /// <summary>
    /// The assignment after the change, or null when it is refused as stale. Throws <see cref="HubException"/>
    /// (<see cref="ErrorCode.InvalidRequest"/>) for an ISR the rules above forbid.
    /// </summary>
    public static PartitionAssignment? Apply(PartitionAssignment current, int leaderBroker, int basedOnVersion, int[] isr, IReadOnlyCollection<int> live)
    {
        if (current.Leader != leaderBroker || current.Version != basedOnVersion) return null;
        if (!isr.Contains(leaderBroker) || !isr.All(current.Replicas.Contains))
            throw new HubException(ErrorCode.InvalidRequest, $"ISR {string.Join(",", isr)} must hold the leader and only replicas of the partition");
        var ordered = current.Replicas.Where(isr.Contains).ToArray();
        return LeaderElection.PreferredLeaderBack(current with { Isr = ordered, Version = current.Version + 1 }, live);
    }
}
