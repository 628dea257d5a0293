using Hub.Silo.Replication;
using Hub.Topics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Replication;

/// <summary>
/// The leader's ISR changes against a fake controller: a laggard leaves after the lag time, a follower joins only
/// at the high watermark and the leader epoch's start, one request at a time, counted in the high watermark until
/// answered, and asked again against a newer assignment that beat it.
/// </summary>
public sealed class IsrChangeProposerTests
{
    private static readonly TimeSpan LagTimeMax = TimeSpan.FromSeconds(10);
    private static readonly PartitionAssignment AllInSync = new(0, Leader: 1, LeaderEpoch: 0, Replicas: [1, 2, 3], Isr: [1, 2, 3], Version: 5);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly List<(int BasedOnVersion, int[] Isr)> _asked = [];
    private TaskCompletionSource<PartitionAssignment> _answer = new();
    private LeaderReplicaSet _replicas = null!;

    private IsrChangeProposer Proposer(PartitionAssignment assignment, long highWatermark = 0, long epochStartOffset = 0)
    {
        _replicas = new LeaderReplicaSet(1, assignment, highWatermark, _clock);
        return new IsrChangeProposer(_replicas, epochStartOffset, LagTimeMax, _clock, AlterIsr, ApplyAnswer, NullLogger.Instance, "t/0@1");
    }

    /// <summary>The fake controller: records the request, answers when the test says.</summary>
    private Task<PartitionAssignment> AlterIsr(int basedOnVersion, int[] isr)
    {
        _asked.Add((basedOnVersion, isr));
        return _answer.Task;
    }

    /// <summary>As the partition grain does: a newer assignment replaces the replica set's view.</summary>
    private Task ApplyAnswer(PartitionAssignment answer)
    {
        if (answer.Version > _replicas.Assignment.Version) _replicas.Update(answer);
        return Task.CompletedTask;
    }

    private List<(int, string)> Asked() => _asked.Select(a => (a.BasedOnVersion, string.Join(",", a.Isr))).ToList();

    private void Answer(PartitionAssignment answer)
    {
        var answering = _answer;
        _answer = new TaskCompletionSource<PartitionAssignment>();
        answering.SetResult(answer);
    }

    /// <summary>For <paramref name="seconds"/> seconds the leader's log grows by 10 a second; broker 2 keeps up, broker 3 stays at 10.</summary>
    private void Broker3Lags(int seconds, long from = 10)
    {
        for (var second = 1; second <= seconds; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _replicas.FollowerFetched(2, from + second * 10, from + second * 10);
            _replicas.FollowerFetched(3, 10, from + second * 10);
        }
    }

    /// <summary>All in sync at offset 10; broker 3 then lags for 11 s and the proposer asks the controller to drop it.</summary>
    private (IsrChangeProposer Proposer, Task Asking) AskingBroker3Out()
    {
        var proposer = Proposer(AllInSync);
        _replicas.FollowerFetched(2, 10, 10);
        _replicas.FollowerFetched(3, 10, 10);
        Broker3Lags(seconds: 11);
        var asking = proposer.ProposeIfWanted();
        Assert.Equal([(5, "1,2")], Asked());
        return (proposer, asking);
    }

    [Fact]
    public async Task A_follower_not_caught_up_for_the_lag_time_is_asked_out_of_the_isr_not_before()
    {
        var proposer = Proposer(AllInSync);
        _replicas.FollowerFetched(2, 10, 10);
        _replicas.FollowerFetched(3, 10, 10);
        Broker3Lags(seconds: 10);
        await proposer.ProposeIfWanted();
        Assert.Empty(_asked);

        Broker3Lags(seconds: 1, from: 110);
        var asking = proposer.ProposeIfWanted();
        Assert.Equal([(5, "1,2")], Asked());
        Answer(AllInSync with { Isr = [1, 2], Version = 6 });
        await asking.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], _replicas.Assignment.InSync);
        _replicas.AdvanceHighWatermark(120);
        Assert.Null(proposer.WantedIsr()); // broker 3 is back in only once it reaches the high watermark
    }

    [Fact]
    public void A_follower_always_one_fetch_behind_a_growing_log_stays_in_the_isr()
    {
        var proposer = Proposer(AllInSync with { Replicas = [1, 2], Isr = [1, 2] });
        _replicas.FollowerFetched(2, 10, 10);
        for (var second = 1; second <= 30; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _replicas.FollowerFetched(2, 10 + (second - 1) * 5, 10 + second * 5);
        }
        Assert.Null(proposer.WantedIsr());
    }

    [Fact]
    public void A_follower_joins_the_isr_only_once_it_reached_the_high_watermark_and_the_leader_epochs_start()
    {
        // A leader that just took over may carry a high watermark older than its log (what it last heard as a
        // follower). A replica new to the partition that reached only that must not join the ISR, as in Kafka.
        var proposer = Proposer(new PartitionAssignment(0, Leader: 1, LeaderEpoch: 3, Replicas: [1, 2], Isr: [1]), highWatermark: 0, epochStartOffset: 1_000);
        _replicas.FollowerFetched(2, fetchOffset: 0, leaderLogEnd: 1_000);
        Assert.Null(proposer.WantedIsr());
        _replicas.FollowerFetched(2, fetchOffset: 999, leaderLogEnd: 1_000);
        Assert.Null(proposer.WantedIsr());
        _replicas.FollowerFetched(2, fetchOffset: 1_000, leaderLogEnd: 1_000);
        Assert.Equal([1, 2], proposer.WantedIsr()!);

        // And at the high watermark when that is further on.
        var later = Proposer(new PartitionAssignment(0, Leader: 1, LeaderEpoch: 3, Replicas: [1, 2, 3], Isr: [1, 2]), highWatermark: 0, epochStartOffset: 5);
        _replicas.FollowerFetched(2, 20, 20);
        _replicas.AdvanceHighWatermark(20);
        _replicas.FollowerFetched(3, 19, 20);
        Assert.Null(later.WantedIsr());
        _replicas.FollowerFetched(3, 20, 20);
        Assert.Equal([1, 2, 3], later.WantedIsr()!);
    }

    [Fact]
    public async Task One_request_at_a_time_and_the_high_watermark_counts_the_proposed_member_until_the_answer()
    {
        var proposer = Proposer(AllInSync with { Isr = [1, 2] });
        _replicas.FollowerFetched(2, 10, 10);
        _replicas.AdvanceHighWatermark(10);
        _replicas.FollowerFetched(3, 10, 10);
        var asking = proposer.ProposeIfWanted();
        Assert.Single(_asked);

        // While the request is out: no second one, and broker 3 holds the high watermark back.
        _replicas.FollowerFetched(2, 20, 20);
        _replicas.FollowerFetched(3, 12, 20);
        _clock.Advance(LagTimeMax * 2);
        await proposer.ProposeIfWanted();
        Assert.Single(_asked);
        _replicas.AdvanceHighWatermark(20);
        Assert.Equal(12, _replicas.HighWatermark);

        Answer(AllInSync with { Isr = [1, 2, 3], Version = 6 });
        await asking.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2, 3], _replicas.Assignment.InSync);
    }

    [Fact]
    public async Task An_answer_with_a_newer_version_that_beat_the_request_is_applied_and_the_change_asked_again_against_it()
    {
        var (proposer, asking) = AskingBroker3Out();

        // The controller had moved on (another replica set change): it answers with its newer assignment, unchanged by the request.
        var newer = AllInSync with { Replicas = [1, 2, 3], Isr = [1, 2, 3], Version = 7 };
        Answer(newer);
        await asking.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(newer, _replicas.Assignment);

        var again = proposer.ProposeIfWanted();
        Assert.Equal((7, "1,2"), Asked()[^1]);
        Answer(newer with { Isr = [1, 2], Version = 8 });
        await again.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], _replicas.Assignment.InSync);
    }

    [Fact]
    public async Task A_failed_request_is_asked_again_on_the_next_check()
    {
        var (proposer, asking) = AskingBroker3Out();
        _answer.SetException(new TimeoutException("Response did not arrive on time"));
        _answer = new TaskCompletionSource<PartitionAssignment>();
        await asking.WaitAsync(TimeSpan.FromSeconds(10));

        _ = proposer.ProposeIfWanted();
        Assert.Equal(2, _asked.Count);
    }
}
