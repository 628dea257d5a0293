using Hub.Errors;
using Hub.Silo.Controller;
using Hub.Topics;

namespace Hub.Tests.Controller;

/// <summary>AlterIsr as the controller judges it: only the current leader, only from the current version.</summary>
public sealed class IsrChangeRulesTests
{
    private static readonly int[] AllLive = [1, 2, 3];
    private static readonly PartitionAssignment Current = new(0, Leader: 1, LeaderEpoch: 2, Replicas: [1, 2, 3], Isr: [1, 2, 3], Version: 5);

    [Fact]
    public void A_shrink_from_the_leader_at_the_current_version_applies_and_bumps_the_version_only()
    {
        var updated = IsrChangeRules.Apply(Current, leaderBroker: 1, basedOnVersion: 5, isr: [1, 3], AllLive);

        Assert.Equal([1, 3], updated!.InSync);
        Assert.Equal(6, updated.Version);
        Assert.Equal(1, updated.Leader);
        Assert.Equal(2, updated.LeaderEpoch);
    }

    [Fact]
    public void The_new_isr_is_kept_in_replica_order()
    {
        var shrunk = Current with { Isr = [1] };

        Assert.Equal([1, 2, 3], IsrChangeRules.Apply(shrunk, 1, 5, [3, 1, 2], AllLive)!.InSync);
    }

    [Fact]
    public void A_request_based_on_a_stale_version_is_refused()
    {
        Assert.Null(IsrChangeRules.Apply(Current, leaderBroker: 1, basedOnVersion: 4, isr: [1], AllLive));
        Assert.Null(IsrChangeRules.Apply(Current, leaderBroker: 1, basedOnVersion: 6, isr: [1], AllLive));
    }

    [Fact]
    public void A_request_from_a_broker_that_does_not_lead_is_refused()
    {
        Assert.Null(IsrChangeRules.Apply(Current, leaderBroker: 2, basedOnVersion: 5, isr: [2], AllLive));
        Assert.Null(IsrChangeRules.Apply(Current with { Leader = PartitionAssignment.NoLeader }, leaderBroker: 1, basedOnVersion: 5, isr: [1], AllLive));
    }

    [Theory]
    [InlineData(new[] { 2, 3 })]    // without the leader
    [InlineData(new[] { 1, 4 })]    // a broker without a replica
    public void An_isr_without_the_leader_or_with_a_stranger_is_invalid(int[] isr)
    {
        var error = Assert.Throws<HubException>(() => IsrChangeRules.Apply(Current, 1, 5, isr, AllLive));

        Assert.Equal(ErrorCode.InvalidRequest, error.Code);
    }

    [Fact]
    public void The_preferred_replica_rejoining_the_isr_takes_leadership_back()
    {
        var failedOver = Current with { Leader = 2, LeaderEpoch = 3, Isr = [2, 3] };

        var updated = IsrChangeRules.Apply(failedOver, leaderBroker: 2, basedOnVersion: 5, isr: [1, 2, 3], AllLive);

        Assert.Equal(1, updated!.Leader);
        Assert.Equal(4, updated.LeaderEpoch);
        Assert.Equal(6, updated.Version);
        Assert.Equal([1, 2, 3], updated.InSync);
    }

    [Fact]
    public void A_preferred_replica_in_the_isr_but_not_live_does_not_take_leadership()
    {
        var failedOver = Current with { Leader = 2, LeaderEpoch = 3, Isr = [1, 2, 3] };

        var updated = IsrChangeRules.Apply(failedOver, leaderBroker: 2, basedOnVersion: 5, isr: [1, 2], [2, 3]);

        Assert.Equal(2, updated!.Leader);
        Assert.Equal(3, updated.LeaderEpoch);
    }
}
