using Hub.Silo.Controller;
using Hub.Topics;
using static Hub.Tests.Controller.ControllerTesting;

namespace Hub.Tests.Controller;

/// <summary>
/// Leader election on membership changes (issue 14's controller transitions), clean, and unclean where a topic
/// sets unclean.leader.election.enable, without a cluster.
/// </summary>
public sealed class LeaderElectionTests
{
    /// <summary>Broker 1 leads (and is preferred), 2 and 3 follow; all in sync.</summary>
    private static readonly PartitionAssignment Healthy = new(0, Leader: 1, LeaderEpoch: 4, Replicas: [1, 2, 3], Isr: [1, 2, 3], Version: 7);

    [Fact]
    public void When_the_leaders_broker_dies_the_first_live_isr_member_leads_with_epoch_and_version_bumped()
    {
        var updated = LeaderElection.Reelect(Healthy, Live(2, 3));

        Assert.NotNull(updated);
        Assert.Equal(2, updated.Leader);
        Assert.Equal(5, updated.LeaderEpoch);
        Assert.Equal(8, updated.Version);
        Assert.Equal([2, 3], updated.InSync);
        Assert.Equal([1, 2, 3], updated.Replicas);
    }

    [Fact]
    public void The_new_leader_comes_from_the_isr_not_from_a_live_replica_outside_it()
    {
        var lagging = Healthy with { Isr = [1, 3] };

        var updated = LeaderElection.Reelect(lagging, Live(2, 3));

        Assert.Equal(3, updated!.Leader);
        Assert.Equal([3], updated.InSync);
    }

    [Fact]
    public void When_both_followers_die_the_isr_shrinks_to_the_leader_which_stays_in_its_epoch()
    {
        var updated = LeaderElection.Reelect(Healthy, Live(1));

        Assert.Equal(1, updated!.Leader);
        Assert.Equal(4, updated.LeaderEpoch);
        Assert.Equal(8, updated.Version);
        Assert.Equal([1], updated.InSync);
    }

    [Fact]
    public void With_no_live_isr_member_the_partition_has_no_leader_and_keeps_its_isr()
    {
        var onlyLeaderInSync = Healthy with { Isr = [1] };

        var updated = LeaderElection.Reelect(onlyLeaderInSync, Live(2, 3));

        Assert.Equal(PartitionAssignment.NoLeader, updated!.Leader);
        Assert.Equal(4, updated.LeaderEpoch);
        Assert.Equal(8, updated.Version);
        Assert.Equal([1], updated.InSync); // broker 1 holds the newest records: it must lead next
    }

    [Fact]
    public void A_leaderless_partition_stays_leaderless_until_an_isr_member_returns_then_it_leads()
    {
        var leaderless = Healthy with { Leader = PartitionAssignment.NoLeader, Isr = [1], Version = 8 };

        Assert.Null(LeaderElection.Reelect(leaderless, Live(2, 3)));
        var back = LeaderElection.Reelect(leaderless, Live(1, 2, 3));

        Assert.Equal(1, back!.Leader);
        Assert.Equal(5, back.LeaderEpoch);
        Assert.Equal(9, back.Version);
        Assert.Equal([1], back.InSync); // the others rejoin through the leader's ISR expansion
    }

    [Fact]
    public void With_unclean_election_allowed_the_first_live_replica_outside_the_isr_leads_alone()
    {
        var onlyLeaderInSync = Healthy with { Isr = [1] };

        var updated = LeaderElection.Reelect(onlyLeaderInSync, Live(3, 2), unclean: true);

        Assert.Equal((2, 5, 8), (updated!.Leader, updated.LeaderEpoch, updated.Version)); // replica order, not liveness order
        Assert.Equal([2], updated.InSync);
    }

    [Fact]
    public void Unclean_election_still_prefers_a_live_isr_member_and_needs_a_live_replica()
    {
        Assert.Equal(2, LeaderElection.Reelect(Healthy with { Isr = [1, 3, 2] }, Live(2, 3), unclean: true)!.Leader);
        var leaderless = Healthy with { Leader = PartitionAssignment.NoLeader, Isr = [1], Version = 8 };
        Assert.Null(LeaderElection.Reelect(leaderless, Live(4), unclean: true));
    }

    [Fact]
    public void A_membership_change_elects_uncleanly_only_in_topics_that_allow_it()
    {
        var leaderless = Healthy with { Leader = PartitionAssignment.NoLeader, Isr = [1], Version = 8 };
        var strict = Topic("strict", leaderless);
        var lenient = Topic("lenient", leaderless) with { Config = TopicConfig.Default with { UncleanLeaderElectionEnable = true } };

        var changes = LeaderElection.AfterMembershipChange([strict, lenient], Live(3));

        Assert.Equal([("lenient", 3)], changes.Select(c => (c.Topic, c.Assignment.Leader)));
    }

    [Fact]
    public void Nothing_changes_when_every_isr_member_is_alive()
    {
        Assert.Null(LeaderElection.Reelect(Healthy, Live(1, 2, 3)));
        Assert.Null(LeaderElection.Reelect(Healthy with { Isr = [1, 2] }, Live(1, 2)));
    }

    [Fact]
    public void Metadata_without_a_stored_isr_counts_every_replica_in_sync()
    {
        var legacy = Healthy with { Isr = null };

        Assert.Equal(2, LeaderElection.Reelect(legacy, Live(2, 3))!.Leader);
    }

    [Fact]
    public void A_membership_change_names_every_changed_partition_of_every_topic()
    {
        var orders = Topic("orders", Healthy, Healthy with { Partition = 1, Leader = 2, Replicas = [2, 3, 1], Isr = [2, 3, 1] });
        var audit = Topic("audit", new PartitionAssignment(0, Leader: 3, LeaderEpoch: 0, Replicas: [3], Isr: [3]));

        var changes = LeaderElection.AfterMembershipChange([orders, audit], Live(2, 3));

        Assert.Equal([("orders", 0, 2), ("orders", 1, 2)], changes.Select(c => (c.Topic, c.Assignment.Partition, c.Assignment.Leader)));
        Assert.Equal([2, 3], changes[1].Assignment.InSync); // partition 1 kept its leader and lost broker 1
    }

    [Fact]
    public void A_failed_log_directory_moves_leadership_and_isr_membership_off_its_broker_while_it_stays_live()
    {
        var led = Topic("orders", Healthy, Healthy with { Partition = 1, Leader = 2, Replicas = [2, 1, 3] });
        var elsewhere = Topic("audit", new PartitionAssignment(0, Leader: 2, LeaderEpoch: 1, Replicas: [2, 3], Isr: [2, 3], Version: 2));
        var alone = Topic("solo", new PartitionAssignment(0, Leader: 1, LeaderEpoch: 3, Replicas: [1], Isr: [1], Version: 5));

        var changes = LeaderElection.AfterLogDirectoryFailure([led, elsewhere, alone], broker: 1, Live(1, 2, 3));

        Assert.Equal([("orders", 0), ("orders", 1), ("solo", 0)], changes.Select(c => (c.Topic, c.Assignment.Partition)));
        var (moved, followed, solo) = (changes[0].Assignment, changes[1].Assignment, changes[2].Assignment);
        Assert.Equal((2, 5, 8), (moved.Leader, moved.LeaderEpoch, moved.Version));
        Assert.Equal([2, 3], moved.InSync);
        Assert.Equal((2, 4), (followed.Leader, followed.LeaderEpoch)); // its leader keeps the epoch; broker 1 leaves the ISR
        Assert.Equal([2, 3], followed.InSync);
        // No other replica may lead without losing acknowledged records: no leader, the ISR kept.
        Assert.Equal((PartitionAssignment.NoLeader, 3), (solo.Leader, solo.LeaderEpoch));
        Assert.Equal([1], solo.InSync);
    }

    [Fact]
    public void The_preferred_leader_leads_again_once_live_and_in_sync()
    {
        var failedOver = Healthy with { Leader = 2, LeaderEpoch = 5, Isr = [1, 2, 3] };

        var back = LeaderElection.PreferredLeaderBack(failedOver, Live(1, 2, 3));

        Assert.Equal(1, back.Leader);
        Assert.Equal(6, back.LeaderEpoch);
    }

    [Fact]
    public void The_preferred_leader_waits_while_out_of_sync_or_gone()
    {
        var failedOver = Healthy with { Leader = 2, LeaderEpoch = 5, Isr = [2, 3] };
        var inSyncButGone = failedOver with { Isr = [1, 2, 3] };

        Assert.Same(failedOver, LeaderElection.PreferredLeaderBack(failedOver, Live(1, 2, 3)));
        Assert.Same(inSyncButGone, LeaderElection.PreferredLeaderBack(inSyncButGone, Live(2, 3)));
        Assert.Same(Healthy, LeaderElection.PreferredLeaderBack(Healthy, Live(1, 2, 3)));
    }
}
