using Hub.Topics;

namespace Hub.Faults.Cluster;

/// <summary>
/// When the cluster has healed from a fault: every broker's silo running and active in cluster membership, and
/// every partition of the topic led, with all its replicas in sync. The next fault waits for this, so faults do not pile up on a cluster still recovering.
/// </summary>
internal static class ClusterHealth
{
    /// <summary>Null when healthy, else what is still missing.</summary>
    /// <param name="topic">The topic as the controller holds it; null when it did not answer.</param>
    /// <param name="running">The brokers whose silos run and are not paused.</param>
    /// <param name="active">The brokers membership lists as active; null when it did not answer.</param>
    public static string? Unhealthy(TopicMetadata? topic, int partitions, int brokers, IReadOnlySet<int> running, IReadOnlySet<int>? active)
    {
        var down = Enumerable.Range(0, brokers).Where(b => !running.Contains(b)).ToList();
        if (down.Count > 0) return $"brokers {string.Join(',', down)} not running";
        if (active is null) return "cluster membership did not answer";
        var inactive = Enumerable.Range(0, brokers).Where(b => !active.Contains(b)).ToList();
        if (inactive.Count > 0) return $"brokers {string.Join(',', inactive)} not active in cluster membership";
        if (topic is null) return "the controller did not answer";
        if (topic.PartitionCount != partitions) return $"the topic has {topic.PartitionCount} partitions, not {partitions}";
        foreach (var p in topic.Partitions)
        {
            if (!p.HasLeader) return $"partition {p.Partition} has no leader";
            if (!active.Contains(p.Leader)) return $"partition {p.Partition} is led by broker {p.Leader}, which is not active";
            var missing = p.Replicas.Except(p.InSync).ToList();
            if (missing.Count > 0) return $"partition {p.Partition}: replicas {string.Join(',', missing)} not in sync";
        }
        return null;
    }
}
