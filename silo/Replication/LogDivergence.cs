using Hub.Silo.InterBroker;
using Hub.Partitions;
using Hub.Silo.Log;

namespace Hub.Silo.Replication;

/// <summary>
/// The leader's check of a follower's fetch: does the follower's log still agree with the leader's? The
/// follower names the epoch of its newest batch; that epoch must exist in the leader's log and reach at least
/// as far as the follower's log end. Otherwise the follower holds records this leader never had (written by an
/// old leader and never acknowledged), and is told where to cut its log: the end of the largest epoch both
/// know, as in Kafka's KIP-320 diverging-epoch answer.
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
}
