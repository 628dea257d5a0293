using Hub.Silo.InterBroker;
using Hub.Partitions;
using Hub.Silo.Log;

namespace Hub.Silo.Replication;

/// <summary>
/// Whether a follower's log still agrees with its leader's, and where it must be cut when it doesn't (KIP-101,
/// KIP-279, with KIP-320's answer carried by the fetch). The leader's side (<see cref="Find"/>): the follower
/// names the epoch of its newest batch; that epoch must exist in the leader's log and reach at least as far as
/// the follower's log end. Otherwise the follower holds records this leader never had (written by an old leader
/// and never acknowledged), and the answer names the largest epoch the leader has up to the follower's and where
/// that epoch ends on the leader. The follower's side (<see cref="TruncationOffset"/>) cuts to the smaller of
/// that and its own end of the same epoch, or, lacking that epoch, to the end of its own largest epoch below it;
/// its next fetch names its newest epoch again, so the two compare until they agree. A consumer asks the leader
/// the same question (<see cref="EndOfEpoch"/>) to learn whether records it read were cut.
/// </summary>
internal static class LogDivergence
{
    /// <summary>The answer telling the follower where to truncate, or null when its log agrees with <paramref name="leaderLog"/>.</summary>
    public static ReplicaFetchResult? Find(SegmentLog leaderLog, ReplicaFetchRequest request)
    {
        long cutAt;
        int epoch;
        if (request.LastFetchedEpoch >= 0 && request.FetchOffset > leaderLog.LogStartOffset)
        {
            (epoch, cutAt) = leaderLog.EndOffsetForEpoch(request.LastFetchedEpoch);
            if (epoch == request.LastFetchedEpoch && cutAt >= request.FetchOffset) return null;
            if (epoch < 0) cutAt = leaderLog.LogStartOffset;
        }
        else if (request.FetchOffset > leaderLog.LogEndOffset)
        {
            // No epoch to compare (a log from before epochs were kept): all that is known is where the leader ends.
            (epoch, cutAt) = (leaderLog.LatestEpoch, leaderLog.LogEndOffset);
        }
        else
        {
            return null;
        }
        return new ReplicaFetchResult(PooledBatches.Empty, -1, leaderLog.LogStartOffset, Math.Max(epoch, 0), Math.Min(cutAt, request.FetchOffset));
    }

    /// <summary>
    /// Where <paramref name="epoch"/> ends in <paramref name="leaderLog"/>, led in <paramref name="currentEpoch"/>, for a
    /// consumer checking that the records it read are still there (KIP-320). The current epoch ends at the log end,
    /// whether or not this leader has appended in it yet; an epoch past it is unknown.
    /// </summary>
    public static EpochEndOffset EndOfEpoch(SegmentLog leaderLog, int currentEpoch, int epoch)
    {
        if (epoch < 0 || epoch > currentEpoch) return EpochEndOffset.Unknown;
        if (epoch == currentEpoch) return new EpochEndOffset(epoch, leaderLog.LogEndOffset);
        var (found, end) = leaderLog.EndOffsetForEpoch(epoch);
        return new EpochEndOffset(found, end);
    }

    /// <summary>
    /// Where <paramref name="followerLog"/> is cut on the leader's <paramref name="divergence"/> answer. Records of one
    /// epoch at one offset were written by one leader, so they agree up to the smaller of the two ends of an epoch
    /// both logs have; past it, or in an epoch only the follower has, nothing is known to agree. Cutting only at the
    /// leader's end would keep a tail of an epoch the leader never had, and every later fetch would diverge again.
    /// </summary>
    public static long TruncationOffset(SegmentLog followerLog, ReplicaFetchResult divergence)
    {
        var (epoch, end) = followerLog.EndOffsetForEpoch(divergence.DivergingEpoch);
        if (epoch < 0) return Math.Min(divergence.DivergingEndOffset, followerLog.LogEndOffset);
        return epoch == divergence.DivergingEpoch ? Math.Min(end, divergence.DivergingEndOffset) : end;
    }
}
