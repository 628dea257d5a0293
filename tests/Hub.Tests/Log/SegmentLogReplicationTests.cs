using Hub.Silo.InterBroker;
using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Log;
using Hub.Silo.Replication;
using Hub.Tests.Kafka;

namespace Hub.Tests.Log;

/// <summary>
/// What replication needs from a log: copying a leader's batches as they are, leader epochs remembered across
/// reopens, cutting a divergent tail where the leader's epochs say, starting over past a leader's log start,
/// and idempotent producers recognized after a reopen.
/// </summary>
public sealed class SegmentLogReplicationTests : IDisposable
{
    private readonly LogTestBed _leader = new();
    private readonly LogTestBed _follower = new();

    public void Dispose()
    {
        _leader.Dispose();
        _follower.Dispose();
    }

    [Fact]
    public void A_follower_copies_the_leaders_batches_byte_for_byte_with_their_offsets_and_epochs()
    {
        using var leader = _leader.Open();
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "a", "b"), leaderEpoch: 0);
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "c"), leaderEpoch: 3);
        using var follower = _follower.Open();

        follower.AppendReplicated(leader.Read(0, int.MaxValue).Memory);

        Assert.Equal(leader.Read(0, int.MaxValue).Memory.ToArray(), follower.Read(0, int.MaxValue).Memory.ToArray());
        Assert.Equal(3, follower.LogEndOffset);
        Assert.Equal(3, follower.LatestEpoch);
        Assert.Equal((0, 2L), follower.EndOffsetForEpoch(0));
        Assert.Equal((3, 3L), follower.EndOffsetForEpoch(5));
    }

    [Fact]
    public void Replicated_batches_must_not_overlap_the_log_and_be_intact()
    {
        using var leader = _leader.Open();
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "a"));
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "b"));
        var first = TestBatches.Split(leader.Read(0, int.MaxValue).Memory)[0].Bytes;
        using var follower = _follower.Open();
        var damaged = leader.Read(0, int.MaxValue).Memory.ToArray();
        damaged[^1] ^= 1;

        Assert.Equal(ErrorCode.CorruptMessage, Assert.Throws<HubException>(() => follower.AppendReplicated(damaged)).Code);
        Assert.Equal(0, follower.LogEndOffset);
        follower.AppendReplicated(first);
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => follower.AppendReplicated(first)).Code);
        Assert.Equal(1, follower.LogEndOffset);
    }

    [Fact]
    public void A_divergent_tail_is_found_from_the_epochs_and_cut_and_the_cut_survives_a_reopen()
    {
        // Both logs share offsets 0-1 from epoch 0. The old leader then wrote 2-4 in epoch 0 that nobody else got;
        // the new leader wrote 2-3 in epoch 1.
        using (var leader = _leader.Open())
        {
            leader.Append(TestBatches.Build(_leader.Clock.NowMs, "a", "b"), leaderEpoch: 0);
            using var old = _follower.Open();
            old.AppendReplicated(leader.Read(0, int.MaxValue).Memory);
            old.Append(TestBatches.Build(_follower.Clock.NowMs, "lost1", "lost2", "lost3"), leaderEpoch: 0);
            leader.Append(TestBatches.Build(_leader.Clock.NowMs, "c", "d"), leaderEpoch: 1);

            var answer = LogDivergence.Find(leader, new ReplicaFetchRequest(1, 1, old.LogEndOffset, old.LatestEpoch, 1 << 20, 0));
            Assert.NotNull(answer);
            Assert.Equal(0, answer.Value.DivergingEpoch);
            Assert.Equal(2, answer.Value.DivergingEndOffset);
            old.TruncateTo(answer.Value.DivergingEndOffset);
            Assert.Equal(2, old.LogEndOffset);

            // Agreeing now, it copies the new leader's epoch-1 records.
            Assert.Null(LogDivergence.Find(leader, new ReplicaFetchRequest(1, 1, old.LogEndOffset, old.LatestEpoch, 1 << 20, 0)));
            old.AppendReplicated(leader.Read(2, int.MaxValue).Memory);
        }
        using var reopened = _follower.Open();
        Assert.Equal(["a", "b", "c", "d"], TestBatches.Records(reopened.Read(0, int.MaxValue).Memory).Select(r => r.Value));
        Assert.Equal(1, reopened.LatestEpoch);
    }

    /// <summary>
    /// Fetches and cuts as the follower's loop does until the leader finds no divergence (bounded: each round
    /// shortens the follower's log or lowers its newest epoch); returns the cuts made.
    /// </summary>
    private static List<long> CutUntilAgreed(SegmentLog leader, SegmentLog follower)
    {
        var cuts = new List<long>();
        while (LogDivergence.Find(leader, new ReplicaFetchRequest(1, 9, follower.LogEndOffset, follower.LatestEpoch, 1 << 20, 0)) is { } answer)
        {
            Assert.True(cuts.Count < 5, $"still diverging after cuts at {string.Join(", ", cuts)}");
            var cut = LogDivergence.TruncationOffset(follower, answer);
            cuts.Add(cut);
            follower.TruncateTo(cut);
        }
        return cuts;
    }

    /// <summary>A batch per record, so that a cut is not rounded down to the start of one large batch.</summary>
    private void AppendOneByOne(SegmentLog log, int epoch, params string[] values)
    {
        foreach (var value in values) log.Append(TestBatches.Build(_follower.Clock.NowMs, value), epoch);
    }

    [Fact]
    public void A_follower_with_an_epoch_the_leader_never_had_cuts_to_its_own_end_of_the_epoch_below_and_compares_again()
    {
        // Epoch 1 wrote 0-4 to both. The leader then wrote 5-7 in epoch 2 and 8-11 in epoch 4; the follower, leading
        // in epoch 3 meanwhile, wrote 5-9 that nobody else got. The leader's end of epoch 2 (8) is no place to cut:
        // 5-7 of epoch 3 would stay, and every fetch would find them again.
        using var leader = _leader.Open();
        using var follower = _follower.Open();
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "a", "b", "c", "d", "e"), leaderEpoch: 1);
        follower.AppendReplicated(leader.Read(0, int.MaxValue).Memory);
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "f", "g", "h"), leaderEpoch: 2);
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "i", "j", "k", "l"), leaderEpoch: 4);
        AppendOneByOne(follower, epoch: 3, "x1", "x2", "x3", "x4", "x5");

        Assert.Equal([5L], CutUntilAgreed(leader, follower));
        follower.AppendReplicated(leader.Read(5, int.MaxValue).Memory);
        Assert.Equal(leader.Read(0, int.MaxValue).Memory.ToArray(), follower.Read(0, int.MaxValue).Memory.ToArray());
        Assert.Equal(4, follower.LatestEpoch);
    }

    [Fact]
    public void A_follower_holding_less_of_an_epoch_than_the_leader_cuts_at_its_own_end_of_it()
    {
        // Epoch 2's leader wrote 0-5; the follower had 0-2 of it when it led in epoch 3 and wrote 3-6 alone.
        using var leader = _leader.Open();
        using var follower = _follower.Open();
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "a", "b", "c"), leaderEpoch: 2);
        follower.AppendReplicated(leader.Read(0, int.MaxValue).Memory);
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "d", "e", "f"), leaderEpoch: 2);
        AppendOneByOne(follower, epoch: 3, "x1", "x2", "x3", "x4");

        Assert.Equal([3L], CutUntilAgreed(leader, follower));
        Assert.Equal(2, follower.LatestEpoch);
        follower.AppendReplicated(leader.Read(3, int.MaxValue).Memory);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], TestBatches.Records(follower.Read(0, int.MaxValue).Memory).Select(r => r.Value));
    }

    [Fact]
    public void A_follower_ahead_of_the_leader_without_epochs_is_cut_to_the_leaders_end()
    {
        using var leader = _leader.Open();
        leader.Append(TestBatches.Build(_leader.Clock.NowMs, "a"), leaderEpoch: 2);
        var answer = LogDivergence.Find(leader, new ReplicaFetchRequest(1, 2, FetchOffset: 5, LastFetchedEpoch: -1, 1 << 20, 0));
        Assert.Equal(1, answer!.Value.DivergingEndOffset);
    }

    [Fact]
    public void Truncation_cuts_across_segments_at_batch_boundaries()
    {
        var config = LogTestBed.Config with { SegmentBytes = 200 };
        using var log = _follower.Open(config);
        for (var i = 0; i < 10; i++) log.Append(TestBatches.Build(_follower.Clock.NowMs, $"record-{i}", $"second-{i}"));
        Assert.True(log.SegmentCount > 2);

        log.TruncateTo(7); // inside the batch 6-7: the whole batch goes
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(6, TestBatches.Records(log.Read(0, int.MaxValue).Memory).Count);
        log.Append(TestBatches.Build(_follower.Clock.NowMs, "after"));
        Assert.Equal("after", TestBatches.Records(log.Read(6, int.MaxValue).Memory).Single().Value);
    }

    [Fact]
    public void A_follower_behind_the_leaders_log_start_starts_over_there()
    {
        using var log = _follower.Open();
        log.Append(TestBatches.Build(_follower.Clock.NowMs, "old"), leaderEpoch: 4);
        log.ResetTo(100);
        Assert.Equal(100, log.LogStartOffset);
        Assert.Equal(100, log.LogEndOffset);
        Assert.Equal(-1, log.LatestEpoch);
    }

    [Fact]
    public void An_idempotent_producers_retry_is_recognized_after_the_log_is_reopened()
    {
        var batch = IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0, records: 3);
        using (var log = _leader.Open())
        {
            Assert.Equal(0, log.Append(batch.ToArray()).BaseOffset);
            log.Append(TestBatches.Build(_leader.Clock.NowMs, "other"));
        }
        using var reopened = _leader.Open();
        var retry = reopened.Append(batch.ToArray());
        Assert.Equal((0L, 2L, -1L), (retry.BaseOffset, retry.LastOffset, retry.LogAppendTimeMs));
        Assert.Equal(4, reopened.LogEndOffset);
        var gap = IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 5);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => reopened.Append(gap)).Code);
    }
}
