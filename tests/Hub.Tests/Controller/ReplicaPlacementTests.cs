using Hub.Errors;
using Hub.Silo.Controller;
using Hub.Topics;
using static Hub.Tests.Controller.ControllerTesting;

namespace Hub.Tests.Controller;

/// <summary>Where replicas go: spread at creation, moved off brokers gone too long, never two on one broker.</summary>
public sealed class ReplicaPlacementTests
{
    [Fact]
    public void Leaders_and_replicas_spread_evenly_over_the_live_brokers()
    {
        var live = new[] { 1, 2, 3 };

        var partitions = ReplicaPlacement.Assign(0, 6, replicationFactor: 2, live);

        Assert.All(live, b => Assert.Equal(2, partitions.Count(p => p.Leader == b)));
        Assert.All(live, b => Assert.Equal(4, partitions.Count(p => p.Replicas.Contains(b))));
        Assert.All(partitions, p => Assert.Equal(p.Replicas[0], p.Leader));
        Assert.All(partitions, p => Assert.Equal(p.Replicas, p.InSync));
        Assert.All(partitions, p => Assert.Equal(0, p.LeaderEpoch));
        Assert.Equal([0, 1, 2, 3, 4, 5], partitions.Select(p => p.Partition));
    }

    [Fact]
    public void No_broker_holds_two_replicas_of_one_partition_even_at_full_replication()
    {
        var partitions = ReplicaPlacement.Assign(0, 7, replicationFactor: 4, [2, 5, 7, 9]);

        Assert.All(partitions, p => Assert.Equal(4, p.Replicas.Distinct().Count()));
    }

    [Fact]
    public void New_partitions_continue_the_rotation_from_their_own_index()
    {
        var added = ReplicaPlacement.Assign(firstPartition: 4, count: 2, replicationFactor: 1, [1, 2, 3]);

        Assert.Equal([(4, 2), (5, 3)], added.Select(p => (p.Partition, p.Leader)));
    }

    [Fact]
    public void Placing_without_live_brokers_is_refused()
    {
        Assert.Equal(ErrorCode.LeaderNotAvailable, Assert.Throws<HubException>(() => ReplicaPlacement.Assign(0, 1, 1, [])).Code);
    }

    [Theory]
    [InlineData(-1, 5, 3)]  // the default: three when there are enough brokers
    [InlineData(-1, 2, 2)]  // ... else every live broker
    [InlineData(2, 3, 2)]
    [InlineData(3, 3, 3)]
    public void The_replication_factor_is_the_requested_one_or_the_default(short requested, int liveBrokers, int expected)
    {
        Assert.Equal(expected, ReplicaPlacement.ReplicationFactor(requested, liveBrokers, minInSyncReplicas: 1));
    }

    [Theory]
    [InlineData(4, 3)]   // above the live brokers
    [InlineData(0, 3)]
    [InlineData(-1, 0)]  // no broker at all
    public void A_replication_factor_the_live_brokers_cannot_hold_is_refused(short requested, int liveBrokers)
    {
        var error = Assert.Throws<HubException>(() => ReplicaPlacement.ReplicationFactor(requested, liveBrokers, minInSyncReplicas: 1));

        Assert.Equal(ErrorCode.InvalidReplicationFactor, error.Code);
    }

    [Fact]
    public void A_manual_assignment_is_taken_as_given_first_broker_leading()
    {
        var placed = ReplicaPlacement.Manual([[2, 0], [0, 1], [1, 2]], partitions: 3, replicationFactor: -1, live: [0, 1, 2], minInSyncReplicas: 2);

        Assert.Equal([(0, 2, new[] { 2, 0 }), (1, 0, new[] { 0, 1 }), (2, 1, new[] { 1, 2 })], placed.Select(p => (p.Partition, p.Leader, p.Replicas)));
        Assert.All(placed, p => Assert.Equal(p.Replicas, p.InSync));
    }

    [Theory]
    [InlineData(new[] { 0, 0 }, new[] { 1, 2 })]  // a broker twice
    [InlineData(new[] { 0, 7 }, new[] { 1, 2 })]  // not a live broker
    [InlineData(new[] { 0, 1 }, new[] { 2 })]     // sizes differ
    [InlineData(new[] { 0, 1 }, new int[0])]      // no replica
    public void A_manual_assignment_kafka_refuses_is_refused(int[] first, int[] second)
    {
        var error = Assert.Throws<HubException>(() => ReplicaPlacement.Manual([first, second], 2, -1, [0, 1, 2], minInSyncReplicas: 1));

        Assert.Equal(ErrorCode.InvalidReplicaAssignment, error.Code);
    }

    [Fact]
    public void A_manual_assignment_beside_a_count_or_factor_or_below_min_insync_replicas_is_refused()
    {
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<HubException>(() => ReplicaPlacement.Manual([[0]], 1, 1, [0], 1)).Code);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<HubException>(() => ReplicaPlacement.Manual([[0]], 2, -1, [0], 1)).Code);
        Assert.Equal(ErrorCode.InvalidConfig, Assert.Throws<HubException>(() => ReplicaPlacement.Manual([[0, 1]], 1, -1, [0, 1], 3)).Code);
    }

    [Fact]
    public void Min_insync_replicas_above_the_replication_factor_is_refused()
    {
        var error = Assert.Throws<HubException>(() => ReplicaPlacement.ReplicationFactor(2, 3, minInSyncReplicas: 3));

        Assert.Equal(ErrorCode.InvalidConfig, error.Code);
    }

    [Fact]
    public void New_partitions_take_the_topics_replication_factor_as_far_as_live_brokers_allow()
    {
        var topic = Topic("t", ReplicaPlacement.Assign(0, 2, 3, [1, 2, 3]));

        Assert.Equal(3, ReplicaPlacement.ReplicationFactorForNewPartitions(topic, 4));
        Assert.Equal(2, ReplicaPlacement.ReplicationFactorForNewPartitions(topic, 2));
    }

    [Fact]
    public void A_gone_brokers_replicas_move_to_the_least_loaded_live_brokers_and_leave_the_isr()
    {
        // Brokers 1-3 hold 3 partitions at RF 2; broker 4 joined empty, broker 3 is gone.
        var topic = Topic("t", ReplicaPlacement.Assign(0, 3, 2, [1, 2, 3]));

        var plan = ReplicaPlacement.ReplaceGone([topic], gone: new HashSet<int> { 3 }, live: [1, 2, 4]);

        // Partition 1 (2,3) and partition 2 (3,1) lose broker 3: the first goes to empty broker 4, the second
        // too (4 then holds 1, brokers 1 and 2 hold 2 each), never onto a broker already holding the partition.
        Assert.Equal([("t", 1, 3, 4), ("t", 2, 3, 4)], plan.Moves.Select(m => (m.Topic, m.Partition, m.From, m.To)));
        var moved = plan.Changes.Select(c => c.Assignment).ToArray();
        Assert.Equal([2, 4], moved[0].Replicas);
        Assert.Equal([2], moved[0].InSync);
        Assert.Equal([4, 1], moved[1].Replicas);
        Assert.Equal([1], moved[1].InSync);
        Assert.All(moved, a => Assert.Equal(1, a.Version));
        Assert.All(moved, a => Assert.Equal(a.Replicas.Length, a.Replicas.Distinct().Count()));
    }

    [Fact]
    public void Replacements_spread_over_the_spare_brokers_as_their_load_grows()
    {
        var topic = Topic("t", Enumerable.Range(0, 4).Select(p => new PartitionAssignment(p, 1, 0, [1, 9], [1, 9])).ToArray());

        var plan = ReplicaPlacement.ReplaceGone([topic], new HashSet<int> { 9 }, [1, 2, 3]);

        Assert.Equal([2, 3, 2, 3], plan.Moves.Select(m => m.To));
    }

    [Fact]
    public void Without_a_spare_broker_or_a_leader_replicas_stay_where_they_are()
    {
        var full = new PartitionAssignment(0, Leader: 1, LeaderEpoch: 0, Replicas: [1, 2, 3], Isr: [1, 2]);
        var leaderless = new PartitionAssignment(1, PartitionAssignment.NoLeader, 0, [3, 4], [3]);

        var plan = ReplicaPlacement.ReplaceGone([Topic("t", full, leaderless)], new HashSet<int> { 3 }, [1, 2]);

        Assert.Empty(plan.Changes);
        Assert.Empty(plan.Moves);
    }
}
