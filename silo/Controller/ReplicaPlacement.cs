using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Controller;

/// <summary>
/// Where a partition's replicas live. At creation replica i of partition p is broker (p + i) mod n of the n live
/// brokers, so leaders (replica 0, the preferred leader) and followers spread evenly and no broker holds two
/// replicas of one partition; all start in sync. A gone broker's replica moves to the live broker holding the
/// fewest replicas among those without one of that partition; without such a spare it stays where it is.
/// </summary>
internal static class ReplicaPlacement
{
    /// <summary>Kafka's default.replication.factor is 1; Hub takes min(3, live brokers) so a cluster is safe by default.</summary>
    public const int DefaultReplicationFactor = 3;

    /// <summary>The request's replication factor ("-1" asks for the default); refused when the live brokers or min.insync.replicas make it unusable.</summary>
    public static int ReplicationFactor(short requested, int liveBrokers, int minInSyncReplicas)
    {
        var replicas = requested == -1 ? Math.Min(DefaultReplicationFactor, liveBrokers) : requested;
        if (replicas < 1 || replicas > liveBrokers)
            throw new HubException(ErrorCode.InvalidReplicationFactor,
                $"replication factor {requested} must be between 1 and the {liveBrokers} live broker(s)");
        CheckMinInSyncReplicas(minInSyncReplicas, replicas);
        return replicas;
    }

    /// <summary>Refuses a min.insync.replicas above the replication factor, at creation and when altered: acks=all writes could never succeed.</summary>
    public static void CheckMinInSyncReplicas(int minInSyncReplicas, int replicationFactor)
    {
        if (minInSyncReplicas > replicationFactor)
            throw new HubException(ErrorCode.InvalidConfig, $"min.insync.replicas {minInSyncReplicas} is more than the replication factor {replicationFactor}: acks=all writes could never succeed");
    }

    /// <summary>New partitions of a topic take its replication factor, as far as the live brokers allow.</summary>
    public static int ReplicationFactorForNewPartitions(TopicMetadata topic, int liveBrokers) =>
        Math.Min(topic.Partitions[0].Replicas.Length, liveBrokers);

    /// <summary>Places partitions <paramref name="firstPartition"/> .. + <paramref name="count"/> over <paramref name="live"/> (ordered by id).</summary>
    public static PartitionAssignment[] Assign(int firstPartition, int count, int replicationFactor, IReadOnlyList<int> live)
    {
        if (live.Count == 0) throw new HubException(ErrorCode.LeaderNotAvailable, "no broker is available to hold the partitions");
        return Enumerable.Range(firstPartition, count)
            .Select(p =>
            {
                var set = Enumerable.Range(0, replicationFactor).Select(i => live[(p + i) % live.Count]).ToArray();
                return new PartitionAssignment(p, set[0], LeaderEpoch: 0, Replicas: set, Isr: set);
            })
            .ToArray();
    }

    /// <summary>
    /// A manual replica assignment, checked as Kafka checks one (INVALID_REPLICA_ASSIGNMENT): one non-empty set of
    /// distinct live brokers per partition, all of one size, which min.insync.replicas must not exceed. The first
    /// broker of each set is its preferred leader; all start in sync.
    /// </summary>
    public static PartitionAssignment[] Manual(int[][] assignment, int partitions, short replicationFactor, IReadOnlyList<int> live, int minInSyncReplicas)
    {
        if (assignment.Length != partitions || replicationFactor != -1)
            throw new HubException(ErrorCode.InvalidRequest, "a manual replica assignment sets the partitions and the replication factor itself: give -1 for both");
        var size = assignment.Length > 0 ? assignment[0].Length : 0;
        var placed = CheckedSets(assignment, 0, size, live);
        CheckMinInSyncReplicas(minInSyncReplicas, size);
        return placed;
    }

    /// <summary>
    /// CreatePartitions' manual assignment of a topic's <paramref name="added"/> new partitions, checked as Kafka checks it
    /// (INVALID_REPLICA_ASSIGNMENT): one set per new partition, each of the topic's replication factor, of distinct live brokers.
    /// </summary>
    public static PartitionAssignment[] ManualAdded(int[][] assignment, TopicMetadata topic, int added, IReadOnlyList<int> live)
    {
        if (assignment.Length != added)
            throw new HubException(ErrorCode.InvalidReplicaAssignment,
                $"the topic grows by {added} partition(s), but {assignment.Length} replica assignment(s) were given");
        return CheckedSets(assignment, topic.PartitionCount, topic.Partitions[0].Replicas.Length, live);
    }

    /// <summary>The sets as partitions <paramref name="firstPartition"/>.. once each has <paramref name="size"/> distinct live brokers; the first is the preferred leader, all start in sync.</summary>
    private static PartitionAssignment[] CheckedSets(int[][] assignment, int firstPartition, int size, IReadOnlyList<int> live)
    {
        for (var i = 0; i < assignment.Length; i++)
        {
            var set = assignment[i];
            var p = firstPartition + i;
            if (set.Length == 0 || set.Length != size)
                throw new HubException(ErrorCode.InvalidReplicaAssignment, $"partition {p} has {set.Length} replica(s); every partition needs {size}, at least one");
            if (set.Distinct().Count() != set.Length)
                throw new HubException(ErrorCode.InvalidReplicaAssignment, $"partition {p} names a broker twice: {string.Join(",", set)}");
            foreach (var broker in set)
            {
                if (!live.Contains(broker))
                    throw new HubException(ErrorCode.InvalidReplicaAssignment, $"partition {p} names broker {broker}, which is not a live broker ({string.Join(",", live)})");
            }
        }
        return assignment.Select((set, i) => new PartitionAssignment(firstPartition + i, set[0], LeaderEpoch: 0, Replicas: [.. set], Isr: [.. set])).ToArray();
    }

    /// <summary>
    /// Moves the replicas held by <paramref name="gone"/> brokers to the least-loaded <paramref name="live"/> ones
    /// (ties to the lowest id). A partition without a leader keeps its replicas: a gone broker holds its newest
    /// records. A moved replica leaves the ISR; it joins again once it has copied the leader's log.
    /// </summary>
    public static ReplacementPlan ReplaceGone(IReadOnlyCollection<TopicMetadata> topics, IReadOnlySet<int> gone, IReadOnlyList<int> live)
    {
        var load = live.ToDictionary(b => b, b => topics.Sum(t => t.Partitions.Count(p => p.Replicas.Contains(b))));
        var changes = new List<PartitionChange>();
        var moves = new List<ReplicaMove>();
        foreach (var topic in topics)
        {
            foreach (var assignment in topic.Partitions.Where(p => p.HasLeader && p.Replicas.Any(gone.Contains)))
            {
                var replicas = assignment.Replicas.ToArray();
                for (var i = 0; i < replicas.Length; i++)
                {
                    if (!gone.Contains(replicas[i])) continue;
                    var spare = load.Keys.Where(b => !replicas.Contains(b)).OrderBy(b => load[b]).ThenBy(b => b).Cast<int?>().FirstOrDefault();
                    if (spare is not { } target) continue;
                    moves.Add(new ReplicaMove(topic.Name, assignment.Partition, replicas[i], target));
                    replicas[i] = target;
                    load[target]++;
                }
                if (replicas.SequenceEqual(assignment.Replicas)) continue;
                changes.Add(new PartitionChange(topic.Name, assignment with
                {
                    Replicas = replicas,
                    Isr = assignment.InSync.Where(replicas.Contains).ToArray(),
                    Version = assignment.Version + 1,
                }));
            }
        }
        return new ReplacementPlan(changes, moves);
    }
}
