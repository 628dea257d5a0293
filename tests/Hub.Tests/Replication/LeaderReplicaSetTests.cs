using Hub.Errors;
using Hub.Silo.Replication;
using Hub.Tests.Log;
using Hub.Topics;

namespace Hub.Tests.Replication;

/// <summary>The leader's bookkeeping of its followers: high watermark, acks=all waiters, and ISR changes by Kafka's rules.</summary>
public sealed class LeaderReplicaSetTests
{
    private static readonly TimeSpan LagTimeMax = TimeSpan.FromSeconds(10);
    private static readonly PartitionAssignment AllInSync = new(0, Leader: 1, LeaderEpoch: 0, Replicas: [1, 2, 3], Isr: [1, 2, 3]);

    private readonly ManualTimeProvider _clock = new();

    private LeaderReplicaSet Leader(PartitionAssignment? assignment = null, long highWatermark = 0, long epochStartOffset = 0) =>
        new(1, assignment ?? AllInSync, highWatermark, epochStartOffset, _clock, LagTimeMax);

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
    public async Task An_acks_all_waiter_completes_once_the_high_watermark_passes_it_and_fails_when_leadership_ends()
    {
        var leader = Leader();
        var first = leader.WaitForHighWatermark(5, TimeSpan.FromMinutes(1));
        var second = leader.WaitForHighWatermark(9, TimeSpan.FromMinutes(1));
        leader.FollowerFetched(2, 5, 10);
        leader.FollowerFetched(3, 7, 10);
        leader.AdvanceHighWatermark(10);
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(second.IsCompleted);

        leader.Abandon(new HubException(ErrorCode.NotLeaderOrFollower, "moved"));
        var error = await Assert.ThrowsAsync<HubException>(() => second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, error.Code);
    }

    [Fact]
    public void A_follower_not_caught_up_for_the_lag_time_leaves_the_isr_and_rejoins_at_the_high_watermark()
    {
        var leader = Leader();
        leader.FollowerFetched(2, 10, 10);
        leader.FollowerFetched(3, 10, 10);
        leader.AdvanceHighWatermark(10);
        Assert.Null(leader.WantedIsr());

        // Broker 3 keeps fetching but stays behind while the leader's log grows; broker 2 keeps up.
        for (var second = 1; second <= 11; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            leader.FollowerFetched(2, 10 + second * 10, 10 + second * 10);
            leader.FollowerFetched(3, 10, 10 + second * 10);
        }
        Assert.Equal([1, 2], leader.WantedIsr()!);

        leader.Update(AllInSync with { Isr = [1, 2], Version = 1 });
        leader.AdvanceHighWatermark(120);
        Assert.Null(leader.WantedIsr());
        leader.FollowerFetched(3, leader.HighWatermark, 120);
        Assert.Equal([1, 2, 3], leader.WantedIsr()!);
    }

    [Fact]
    public void A_follower_that_caught_up_with_the_previous_fetchs_log_end_counts_as_caught_up_then()
    {
        var leader = Leader(AllInSync with { Replicas = [1, 2], Isr = [1, 2] });
        leader.FollowerFetched(2, 10, 10);
        for (var second = 1; second <= 30; second++)
        {
            // Always one fetch behind a log that grows between fetches: still in sync, as in Kafka.
            _clock.Advance(TimeSpan.FromSeconds(1));
            leader.FollowerFetched(2, 10 + (second - 1) * 5, 10 + second * 5);
        }
        Assert.Null(leader.WantedIsr());
    }

    [Fact]
    public void A_new_leader_lets_a_follower_into_the_isr_only_once_it_has_the_records_the_leader_had_when_its_epoch_began()
    {
        // A leader that just took over may carry a high watermark older than its log (what it last heard as a
        // follower). A replica new to the partition that reached only that must not join the ISR, as in Kafka.
        var leader = Leader(new PartitionAssignment(0, Leader: 1, LeaderEpoch: 3, Replicas: [1, 2], Isr: [1]), highWatermark: 0, epochStartOffset: 1_000);
        leader.FollowerFetched(2, fetchOffset: 0, leaderLogEnd: 1_000);
        Assert.Null(leader.WantedIsr());
        leader.FollowerFetched(2, fetchOffset: 999, leaderLogEnd: 1_000);
        Assert.Null(leader.WantedIsr());
        leader.FollowerFetched(2, fetchOffset: 1_000, leaderLogEnd: 1_000);
        Assert.Equal([1, 2], leader.WantedIsr()!);
    }

    [Fact]
    public void A_follower_proposed_for_the_isr_holds_back_the_high_watermark_until_the_controller_answers()
    {
        var leader = Leader(AllInSync with { Isr = [1, 2] });
        leader.FollowerFetched(2, 10, 10);
        leader.AdvanceHighWatermark(10);
        leader.FollowerFetched(3, 10, 10); // caught up: wants in
        Assert.Equal([1, 2, 3], leader.WantedIsr()!);
        leader.Propose([1, 2, 3]);

        // The leader's log grows; broker 2 keeps up, broker 3 not yet. Were broker 3 elected now, records it lacks
        // must not have been acknowledged.
        leader.FollowerFetched(2, 20, 20);
        Assert.False(leader.AdvanceHighWatermark(20));
        Assert.Equal(10, leader.HighWatermark);
        leader.FollowerFetched(3, 15, 20);
        Assert.True(leader.AdvanceHighWatermark(20));
        Assert.Equal(15, leader.HighWatermark);
    }
}
