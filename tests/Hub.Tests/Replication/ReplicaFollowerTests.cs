using Hub.Errors;
using Hub.Silo.Log;
using Hub.Silo.Replication;
using Hub.Tests.Log;
using Hub.Topics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hub.Tests.Replication;

/// <summary>
/// The follower's loop against fake leaders over real logs: catching up, cutting a divergent tail after a leader
/// change, starting over past the leader's log start, backing off on errors, and stopping.
/// </summary>
public sealed class ReplicaFollowerTests : IDisposable
{
    private const int Follower = 2;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly PartitionAssignment LedBy1 = new(0, Leader: 1, LeaderEpoch: 0, Replicas: [1, 2, 3], Version: 1);

    private readonly LogTestBed _followerBed = new();
    private readonly LogTestBed _leaderBed = new();
    private readonly LogTestBed _otherLeaderBed = new();
    private readonly TimerRecordingClock _clock = new();
    private readonly List<SegmentLog> _opened = [];
    private int _refreshes;

    public void Dispose()
    {
        foreach (var log in _opened) log.Dispose();
        _followerBed.Dispose();
        _leaderBed.Dispose();
        _otherLeaderBed.Dispose();
    }

    private ReplicaFollower NewFollower(SegmentLog log, PartitionAssignment assignment, ReplicaFollower.FetchFromLeader fetch) =>
        new(Follower, log, assignment, log.LogStartOffset, fetch,
            () => { Interlocked.Increment(ref _refreshes); return Task.CompletedTask; }, _clock, NullLogger.Instance, "t/0@2");

    private SegmentLog Opened(SegmentLog log)
    {
        _opened.Add(log);
        return log;
    }

    private static void Append(SegmentLog log, int epoch, params string[] values) =>
        log.Append(TestBatches.Build(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), values), epoch);

    private static byte[] Bytes(SegmentLog log, long from = -1) => log.Read(from < 0 ? log.LogStartOffset : from, int.MaxValue).Memory.ToArray();

    private static async Task StopAsync(ReplicaFollower follower)
    {
        follower.Stop();
        await follower.Running.WaitAsync(Bound);
    }

    [Fact]
    public async Task An_empty_follower_copies_the_leaders_log_fetch_by_fetch_and_takes_its_high_watermark()
    {
        using var leaderLog = _leaderBed.Open();
        Append(leaderLog, 0, "a", "b");
        Append(leaderLog, 0, "c");
        Append(leaderLog, 1, "d", "e");
        var leader = new FakeLeaderReplica(leaderLog) { HighWatermark = 4 };
        using var log = _followerBed.Open();
        var follower = NewFollower(log, LedBy1, leader.Fetch);

        follower.Follow(LedBy1);

        Assert.Equal(5, await leader.WaitingFetch().WaitAsync(Bound));
        Assert.Equal(Bytes(leaderLog), Bytes(log));
        Assert.Equal(1, log.LatestEpoch);
        Assert.Equal(4, follower.HighWatermark);
        Assert.Equal([0L, 2, 3, 5], leader.Requests.Select(r => r.FetchOffset));
        Assert.All(leader.Requests, r => Assert.Equal((Follower, 0), (r.ReplicaBrokerId, r.LeaderEpoch)));
        await StopAsync(follower);
    }

    /// <summary>
    /// Broker 1 led in epoch 0 and wrote a, b, then <paramref name="deposedTail"/> that only this follower got;
    /// broker 3 took over in epoch 1 from offset 2 and wrote <paramref name="newTail"/>. The follower has caught
    /// up with broker 1, and its next fetch waits there, when broker 3's leadership reaches it.
    /// </summary>
    private async Task<(ReplicaFollower Follower, SegmentLog Log, FakeLeaderReplica Deposed, FakeLeaderReplica Leader)> LeaderChangesAfterADivergentTail(
        string[] deposedTail, string[] newTail)
    {
        var deposedLog = Opened(_leaderBed.Open());
        Append(deposedLog, 0, "a", "b");
        var leaderLog = Opened(_otherLeaderBed.Open());
        leaderLog.AppendReplicated(deposedLog.Read(0, int.MaxValue).Memory);
        Append(deposedLog, 0, deposedTail);
        if (newTail.Length > 0) Append(leaderLog, 1, newTail);
        var deposed = new FakeLeaderReplica(deposedLog) { HighWatermark = deposedLog.LogEndOffset };
        var leader = new FakeLeaderReplica(leaderLog) { HighWatermark = leaderLog.LogEndOffset };
        var log = Opened(_followerBed.Open());
        var follower = NewFollower(log, LedBy1, (broker, request) => (broker == 1 ? deposed : leader).Fetch(broker, request));
        follower.Follow(LedBy1);
        Assert.Equal(deposedLog.LogEndOffset, await deposed.WaitingFetch().WaitAsync(Bound));
        Assert.Equal(deposedLog.LogEndOffset, follower.HighWatermark);

        follower.Follow(LedBy1 with { Leader = 3, LeaderEpoch = 1, Version = 2 });
        return (follower, log, deposed, leader);
    }

    [Fact]
    public async Task After_a_leader_change_the_old_leaders_late_answer_is_dropped_and_the_divergent_tail_is_cut_and_refetched()
    {
        var (follower, log, deposed, leader) = await LeaderChangesAfterADivergentTail(["c", "d", "e"], ["f", "g"]);
        deposed.HighWatermark = 4;
        deposed.ReleaseWaitingFetch(); // answers for the old assignment: dropped

        Assert.Equal(4, await leader.WaitingFetch().WaitAsync(Bound));
        Assert.Equal(Bytes(leader.Log), Bytes(log));
        Assert.Equal(4, follower.HighWatermark);
        Assert.Equal([(5L, 0), (2, 0), (4, 1)], leader.Requests.Select(r => (r.FetchOffset, r.LastFetchedEpoch)));
        Assert.All(leader.Requests, r => Assert.Equal(1, r.LeaderEpoch));
        await StopAsync(follower);
    }

    [Fact]
    public async Task A_fetch_waiting_at_the_old_leader_is_abandoned_and_the_new_leader_asked_at_once()
    {
        // Found here: the follower waited for the deposed leader's long poll (or, were it gone, for Orleans to give up
        // on the call) before fetching from the new leader, whose acks=all writes waited for it meanwhile.
        var (follower, log, deposed, leader) = await LeaderChangesAfterADivergentTail(["c"], ["f", "g"]);

        Assert.Equal(4, await leader.WaitingFetch().WaitAsync(Bound)); // the deposed leader's fetch is still unanswered
        Assert.Equal(Bytes(leader.Log), Bytes(log));
        Assert.Equal(0, _refreshes); // no error, no backoff
        await StopAsync(follower);
    }

    [Fact]
    public async Task A_divergence_answer_carries_no_high_watermark_so_the_follower_keeps_its_own_capped_at_the_cut()
    {
        // Found here: the answer's -1 became the follower's high watermark, which it would carry as a new leader.
        var (follower, log, deposed, leader) = await LeaderChangesAfterADivergentTail(["c"], []);
        deposed.ReleaseWaitingFetch();

        Assert.Equal(2, await leader.WaitingFetch().WaitAsync(Bound)); // cut to 2, then waiting at the new leader's end
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(2, follower.HighWatermark);
        await StopAsync(follower);
    }

    [Fact]
    public async Task A_follower_with_a_tail_of_an_epoch_the_leader_never_had_cuts_it_all_and_catches_up()
    {
        // Found here (issue 14 item 4): cut at the leader's end of its epoch 2 (offset 4), the follower kept 3 of
        // epoch 3, was told to cut at 4 again, and fetched like that forever without copying anything.
        using var leaderLog = _leaderBed.Open();
        Append(leaderLog, 1, "a", "b", "c");
        using var log = _followerBed.Open();
        log.AppendReplicated(leaderLog.Read(0, int.MaxValue).Memory);
        Append(leaderLog, 2, "d");
        Append(leaderLog, 4, "e", "f");
        foreach (var value in new[] { "x1", "x2", "x3" }) Append(log, 3, value); // a batch each: a cut is not rounded down to one
        var leader = new FakeLeaderReplica(leaderLog) { HighWatermark = 6 };
        // Answered asynchronously, as a grain call is, so that a follower fetching forever fails the wait below.
        var follower = NewFollower(log, LedBy1, async (broker, request) =>
        {
            await Task.Yield();
            return await leader.Fetch(broker, request);
        });

        follower.Follow(LedBy1);

        Assert.Equal(6, await leader.WaitingFetch().WaitAsync(Bound));
        Assert.Equal(Bytes(leaderLog), Bytes(log));
        Assert.Equal([(6L, 3), (3, 1), (4, 2), (6, 4)], leader.Requests.Select(r => (r.FetchOffset, r.LastFetchedEpoch)));
        await StopAsync(follower);
    }

    [Fact]
    public async Task A_caught_up_follower_moves_its_log_start_where_the_leaders_moved()
    {
        using var leaderLog = _leaderBed.Open();
        Append(leaderLog, 0, "a", "b", "c", "d", "e");
        var leader = new FakeLeaderReplica(leaderLog) { HighWatermark = 5 };
        using var log = _followerBed.Open();
        var follower = NewFollower(log, LedBy1, leader.Fetch);
        follower.Follow(LedBy1);
        Assert.Equal(5, await leader.WaitingFetch().WaitAsync(Bound));

        leaderLog.DeleteRecordsBefore(3); // DeleteRecords on the leader, inside its only segment
        leader.ReleaseWaitingFetch();

        Assert.Equal(5, await leader.WaitingFetch().WaitAsync(Bound)); // the answer was applied before the next fetch
        Assert.Equal(3, log.LogStartOffset);
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.Read(2, 100).Memory).Code);
        await StopAsync(follower);
    }

    [Fact]
    public async Task A_follower_behind_the_leaders_log_start_starts_over_there()
    {
        using var leaderLog = _leaderBed.Open();
        leaderLog.ResetTo(100); // retention deleted everything below 100
        Append(leaderLog, 0, "a", "b");
        var leader = new FakeLeaderReplica(leaderLog) { HighWatermark = 102 };
        using var log = _followerBed.Open();
        Append(log, 0, "old");
        var follower = NewFollower(log, LedBy1, leader.Fetch);

        follower.Follow(LedBy1);

        Assert.Equal(102, await leader.WaitingFetch().WaitAsync(Bound));
        Assert.Equal(100, log.LogStartOffset);
        Assert.Equal(Bytes(leaderLog), Bytes(log));
        Assert.Equal(102, follower.HighWatermark);
        await StopAsync(follower);
    }

    [Fact]
    public async Task Failed_fetches_back_off_doubling_up_to_a_second_and_reread_the_assignment_and_a_success_resets_the_backoff()
    {
        using var leaderLog = _leaderBed.Open();
        Append(leaderLog, 0, "a");
        var leader = new FakeLeaderReplica(leaderLog) { HighWatermark = 1 };
        leader.FailNext(new HubException(ErrorCode.NotLeaderOrFollower, "broker 1 does not lead"));
        leader.FailNext(new HubException(ErrorCode.FencedLeaderEpoch, "epoch 0 is old"));
        leader.FailNext(new TimeoutException("Response did not arrive on time"));
        for (var i = 0; i < 4; i++) leader.FailNext(new HubException(ErrorCode.NotLeaderOrFollower, "still not"));
        using var log = _followerBed.Open();
        var follower = NewFollower(log, LedBy1, leader.Fetch);

        follower.Follow(LedBy1);

        var backoffs = new List<double>();
        for (var failure = 1; failure <= 7; failure++)
        {
            var backoff = _clock.NextTimer(Bound);
            backoffs.Add(backoff.TotalMilliseconds);
            Assert.Equal((failure, failure - 1), (leader.Requests.Count, _refreshes));
            _clock.Advance(backoff - TimeSpan.FromMilliseconds(1));
            Assert.Equal(failure, leader.Requests.Count); // not before the backoff is over
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal([50, 100, 200, 400, 800, 1000, 1000], backoffs);
        Assert.Equal(1, await leader.WaitingFetch().WaitAsync(Bound));
        Assert.Equal(Bytes(leaderLog), Bytes(log));

        leader.FailNext(new HubException(ErrorCode.NotLeaderOrFollower, "again"));
        leader.ReleaseWaitingFetch();
        Assert.Equal(50, _clock.NextTimer(Bound).TotalMilliseconds);
        await StopAsync(follower);
    }

    [Fact]
    public async Task Stop_ends_the_loop_during_a_backoff_and_during_a_waiting_fetch_and_nothing_restarts_it()
    {
        using var leaderLog = _leaderBed.Open();
        var leader = new FakeLeaderReplica(leaderLog);
        leader.FailNext(new TimeoutException("Response did not arrive on time"));
        using var log = _followerBed.Open();
        var backingOff = NewFollower(log, LedBy1, leader.Fetch);
        backingOff.Follow(LedBy1);
        _clock.NextTimer(Bound);
        await StopAsync(backingOff); // without the clock moving

        var waiting = NewFollower(log, LedBy1, leader.Fetch);
        waiting.Follow(LedBy1);
        await leader.WaitingFetch().WaitAsync(Bound);
        await StopAsync(waiting);
        waiting.Follow(LedBy1 with { Version = 2 });
        Assert.True(waiting.Running.IsCompleted);
        Assert.Equal(2, leader.Requests.Count);
        Assert.Equal(0, _refreshes);
    }

    [Fact]
    public async Task The_loop_ends_when_the_assignment_names_no_leader_and_starts_again_when_one_does()
    {
        using var leaderLog = _leaderBed.Open();
        Append(leaderLog, 0, "a");
        var leader = new FakeLeaderReplica(leaderLog) { HighWatermark = 1 };
        using var log = _followerBed.Open();
        var follower = NewFollower(log, LedBy1, leader.Fetch);
        follower.Follow(LedBy1);
        await leader.WaitingFetch().WaitAsync(Bound);

        follower.Follow(LedBy1 with { Leader = PartitionAssignment.NoLeader, Version = 2 });
        leader.ReleaseWaitingFetch();
        await follower.Running.WaitAsync(Bound);
        Assert.Equal(2, leader.Requests.Count);

        follower.Follow(LedBy1 with { LeaderEpoch = 1, Version = 3 });
        await leader.WaitingFetch().WaitAsync(Bound);
        Assert.Equal(1, leader.Requests[^1].LeaderEpoch);
        await StopAsync(follower);
    }
}
