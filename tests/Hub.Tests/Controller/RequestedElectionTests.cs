using Hub.Errors;
using Hub.Silo.Controller;
using Hub.Topics;
using static Hub.Tests.Controller.ControllerTesting;

namespace Hub.Tests.Controller;

/// <summary>Elections an admin asks for (Kafka's ElectLeaders), preferred and unclean, without a cluster.</summary>
public sealed class RequestedElectionTests
{
    /// <summary>Broker 2 leads though 1 is preferred; all in sync.</summary>
    private static readonly PartitionAssignment MovedAway = new(0, Leader: 2, LeaderEpoch: 4, Replicas: [1, 2, 3], Isr: [1, 2, 3], Version: 7);

    [Fact]
    public void A_preferred_election_gives_the_live_in_sync_preferred_replica_the_lead_with_epoch_and_version_bumped()
    {
        var (elected, error) = LeaderElection.Requested(MovedAway, Live(1, 2, 3), unclean: false);

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal((1, 5, 8), (elected!.Leader, elected.LeaderEpoch, elected.Version));
        Assert.Equal([1, 2, 3], elected.InSync);
    }

    [Fact]
    public void A_preferred_election_is_refused_when_the_preferred_replica_is_dead_or_out_of_sync_and_not_needed_when_it_leads()
    {
        Assert.Equal((null, ErrorCode.PreferredLeaderNotAvailable), LeaderElection.Requested(MovedAway, Live(2, 3), unclean: false));
        Assert.Equal((null, ErrorCode.PreferredLeaderNotAvailable), LeaderElection.Requested(MovedAway with { Isr = [2, 3] }, Live(1, 2, 3), unclean: false));
        Assert.Equal((null, ErrorCode.ElectionNotNeeded), LeaderElection.Requested(MovedAway with { Leader = 1 }, Live(1, 2, 3), unclean: false));
    }

    [Fact]
    public void An_unclean_election_takes_a_live_replica_out_of_sync_only_when_no_live_leader_is_left()
    {
        var stranded = MovedAway with { Leader = PartitionAssignment.NoLeader, Isr = [2] }; // 2, the last in sync, is dead

        var (elected, error) = LeaderElection.Requested(stranded, Live(1, 3), unclean: true);

        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(1, elected!.Leader);
        Assert.Equal([1], elected.InSync);
        Assert.Equal((null, ErrorCode.EligibleLeadersNotAvailable), LeaderElection.Requested(stranded, Live(), unclean: true));
        Assert.Equal((null, ErrorCode.ElectionNotNeeded), LeaderElection.Requested(MovedAway, Live(1, 2, 3), unclean: true));
        // A preferred election never elects uncleanly.
        Assert.Equal((null, ErrorCode.PreferredLeaderNotAvailable), LeaderElection.Requested(stranded, Live(1, 3), unclean: false));
    }
}
