using Hub.Tests.Support;
using Hub.Silo.Replication;
using Hub.Tests.Log;
using Hub.Topics;

namespace Hub.Tests.Replication;

/// <summary>The leader's bookkeeping of its followers: their progress and the high watermark it gives, by Kafka's rules.</summary>
public sealed class LeaderReplicaSetTests
{
    private static readonly PartitionAssignment AllInSync = new(0, Leader: 1, LeaderEpoch: 0, Replicas: [1, 2, 3], Isr: [1, 2, 3]);

    private readonly ManualTimeProvider _clock = new();

    private LeaderReplicaSet Leader(PartitionAssignment? assignment = null, long highWatermark = 0) =>
        new(1, assignment ?? AllInSync, highWatermark, _clock);

    [Fact]
    public void The_high_watermark_is_the_lowest_log_end_in_the_isr_and_waits_for_followers_not_heard_from()
    {
        var leader = Leader();
        Assert.False(leader.AdvanceHighWatermark(leaderLogEnd: 10));
        leader.FollowerFetched(2, fetchOffset: 10, leaderLogEnd: 10);
        Assert.False(leader.AdvanceHighWatermark(10)); // broker 3 not heard from yet
        leader.FollowerFetched(3, fetchOffset: 6, leaderLogEnd: 10);
        Assert.True(leader.AdvanceHighWatermark(10));
        Assert.Equal(6, leader.HighWatermark);
        leader.FollowerFetched(3, fetchOffset: 4, leaderLogEnd: 10);
        Assert.False(leader.AdvanceHighWatermark(10)); // never backwards
        Assert.Equal(6, leader.HighWatermark);
    }

    [Fact]
    public void A_follower_is_caught_up_when_it_fetches_from_the_log_end_or_from_where_the_log_ended_at_its_previous_fetch()
    {
        var leader = Leader(AllInSync with { Replicas = [1, 2], Isr = [1, 2] });
        var start = _clock.GetTimestamp();
        leader.FollowerFetched(2, 10, 10);
        Assert.Equal(start, leader.Follower(2)!.LastCaughtUp);

        // One fetch behind a log that grows between fetches: caught up as of the previous fetch, as in Kafka.
        _clock.Advance(TimeSpan.FromSeconds(1));
        leader.FollowerFetched(2, 10, 15);
        Assert.Equal(start, leader.Follower(2)!.LastCaughtUp);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var previous = _clock.GetTimestamp() - TimeSpan.TicksPerSecond;
        leader.FollowerFetched(2, 15, 20);
        Assert.Equal(previous, leader.Follower(2)!.LastCaughtUp);

        // Falling further behind: no longer.
        _clock.Advance(TimeSpan.FromSeconds(1));
        leader.FollowerFetched(2, 16, 30);
        Assert.Equal(previous, leader.Follower(2)!.LastCaughtUp);
        Assert.Equal(16, leader.Follower(2)!.LogEndOffset);
    }

    [Fact]
    public void A_follower_proposed_for_the_isr_holds_back_the_high_watermark_until_the_controller_answers()
    {
        var leader = Leader(AllInSync with { Isr = [1, 2] });
        leader.FollowerFetched(2, 10, 10);
        leader.AdvanceHighWatermark(10);
        leader.FollowerFetched(3, 10, 10);
        leader.Propose([1, 2, 3]);

        // The leader's log grows; broker 2 keeps up, broker 3 not yet. Were broker 3 elected now, records it lacks
        // must not have been acknowledged.
        leader.FollowerFetched(2, 20, 20);
        Assert.False(leader.AdvanceHighWatermark(20));
        Assert.Equal(10, leader.HighWatermark);
        leader.FollowerFetched(3, 15, 20);
        Assert.True(leader.AdvanceHighWatermark(20));
        Assert.Equal(15, leader.HighWatermark);

        // The controller's answer replaces the proposal.
        leader.Update(AllInSync with { Isr = [1, 2], Version = 1 });
        Assert.True(leader.AdvanceHighWatermark(20));
        Assert.Equal(20, leader.HighWatermark);
    }

    [Fact]
    public void Followers_new_to_the_replica_list_start_unknown_and_removed_ones_are_forgotten()
    {
        var leader = Leader(AllInSync with { Replicas = [1, 2], Isr = [1, 2] });
        leader.FollowerFetched(2, 10, 10);
        leader.Update(AllInSync with { Replicas = [1, 3], Isr = [1, 3], Version = 1 });
        Assert.Null(leader.Follower(2));
        Assert.Equal(-1, leader.Follower(3)!.LogEndOffset);
        Assert.False(leader.AdvanceHighWatermark(10));
    }
}
