using Hub.Errors;

namespace Hub.Silo.Replication;

/// <summary>
/// The check a request naming the leader epoch its sender believes current must pass (KIP-320's
/// current_leader_epoch, and a follower's fetch): an older epoch is FENCED_LEADER_EPOCH (the sender missed a leader
/// change and refreshes its metadata), a newer one UNKNOWN_LEADER_EPOCH (this replica hasn't heard of the change
/// yet: the sender retries). Kafka clients that don't track epochs send <see cref="Unchecked"/>.
/// </summary>
internal static class CurrentLeaderEpoch
{
    /// <summary>Kafka's "no epoch": nothing to check.</summary>
    public const int Unchecked = -1;

    /// <summary>Throws unless <paramref name="named"/> is <paramref name="current"/> or <see cref="Unchecked"/>.</summary>
    public static void Check(int named, int current, string sender)
    {
        if (named == Unchecked || named == current) return;
        throw new HubException(named < current ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch,
            $"{sender} names leader epoch {named}, this replica's is {current}");
    }
}
