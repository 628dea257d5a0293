using Hub.Errors;
using Hub.Silo.Log;
using Hub.Tests.Kafka;
using Hub.Topics;

namespace Hub.Tests.Log;

/// <summary>
/// Idempotent producers' state across a log's restarts, truncations and retention: snapshots beside the segments,
/// restored with the batches after them, never trusted when damaged or past the log end; idle producers expire.
/// </summary>
public sealed class SegmentLogProducerStateTests : IDisposable
{
    /// <summary>A few kilobytes per segment, so appends of filler batches roll (and snapshot) often.</summary>
    private static readonly TopicConfig SmallSegments = LogTestBed.Config with { SegmentBytes = 4096 };

    /// <summary>Value size of a filler batch that fills about half a small segment.</summary>
    private const int HalfSegment = 1900;

    /// <summary>Value size of a filler batch that fills most of a small segment, so the next batch after a short one rolls.</summary>
    private const int MostOfASegment = 3000;

    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static byte[] Batch(int sequence, long producer = 7, int records = 1) => IdempotentBatches.Create(producer, 0, sequence, records);

    private byte[] Filler(int valueBytes = HalfSegment) => TestBatches.OfValueSize(_bed.Clock.NowMs, valueBytes);

    private List<string> Snapshots() =>
        Directory.GetFiles(_bed.Directory, "*" + SegmentFileName.SnapshotExtension).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    private static void AssertDuplicate(SegmentLog log, byte[] batch, long baseOffset, long lastOffset)
    {
        var end = log.LogEndOffset;
        var retry = log.Append(batch.ToArray());
        Assert.Equal((baseOffset, lastOffset, -1L), (retry.BaseOffset, retry.LastOffset, retry.LogAppendTimeMs));
        Assert.Equal(end, log.LogEndOffset);
    }

    [Fact]
    public void A_producer_follows_an_earlier_leaders_batches_until_it_writes_in_the_current_epoch()
    {
        using var log = _bed.Open();
        log.Append(Batch(0), leaderEpoch: 0);
        log.Append(Filler(), leaderEpoch: 0);

        Assert.False(log.FollowsBatchesOfAnEarlierLeader(Batch(5), leaderEpoch: 0));
        Assert.True(log.FollowsBatchesOfAnEarlierLeader(Batch(5), leaderEpoch: 1)); // epoch 1 wrote nothing yet
        log.Append(Filler(), leaderEpoch: 1);
        Assert.True(log.FollowsBatchesOfAnEarlierLeader(Batch(5), leaderEpoch: 1)); // others wrote in epoch 1, producer 7 did not
        log.Append(Batch(1), leaderEpoch: 1);
        Assert.False(log.FollowsBatchesOfAnEarlierLeader(Batch(5), leaderEpoch: 1));
    }

    [Fact]
    public void How_long_since_a_producer_stored_a_batch_is_measured_from_its_last_append_as_leader_or_follower()
    {
        using var log = _bed.Open();
        Assert.Null(log.SinceProducerAppended(Batch(0)));
        log.Append(Batch(0), leaderEpoch: 0);
        _bed.Clock.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), log.SinceProducerAppended(Batch(5)));
        Assert.Null(log.SinceProducerAppended(Batch(5, producer: 8)));

        using var follower = _bed.Open(directory: _bed.Directory + "-follower");
        using (var stored = log.Read(0, int.MaxValue)) follower.AppendReplicated(stored.Memory);
        Assert.Equal(TimeSpan.Zero, follower.SinceProducerAppended(Batch(5)));
    }

    [Fact]
    public void A_retry_is_recognized_after_a_restart_however_much_was_written_after_its_batch()
    {
        // More than the 64 MiB of newest segments that the state used to be rebuilt from.
        const long WrittenAfter = 72L << 20;
        var config = LogTestBed.Config with { SegmentBytes = 8 << 20 };
        var batch = Batch(0, records: 3);
        var filler = Filler(valueBytes: (1 << 20) - 1024);
        using (var log = _bed.Open(config))
        {
            log.Append(batch.ToArray());
            while (log.SizeBytes < WrittenAfter) log.Append(filler.ToArray());
        }

        using var reopened = _bed.Open(config);

        AssertDuplicate(reopened, batch, 0, 2);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => reopened.Append(Batch(5))).Code);
    }

    [Fact]
    public void Snapshots_are_written_at_every_roll_and_at_close_and_deleted_with_their_segments()
    {
        var config = SmallSegments with { RetentionMs = 100_000 };
        using (var log = _bed.Open(config))
        {
            for (var i = 0; i < 6; i++)
            {
                log.Append(Filler());
                _bed.Clock.Advance(TimeSpan.FromSeconds(30));
            }
            Assert.Equal(3, log.SegmentCount);
            Assert.Equal(["00000000000000000002.snapshot", "00000000000000000004.snapshot"], Snapshots());

            Assert.Equal(1, log.EnforceRetention());
            Assert.Equal(2, log.LogStartOffset);
        }
        Assert.Equal(["00000000000000000002.snapshot", "00000000000000000004.snapshot", "00000000000000000006.snapshot"], Snapshots());

        using var reopened = _bed.Open(config);
        _bed.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, reopened.EnforceRetention());
        Assert.Equal(["00000000000000000004.snapshot", "00000000000000000006.snapshot"], Snapshots());
    }

    [Theory]
    [InlineData("torn", false)]
    [InlineData("wrong CRC", false)]
    [InlineData("torn", true)]
    [InlineData("wrong CRC", true)]
    public void A_damaged_snapshot_is_never_trusted(string damage, bool everyOne)
    {
        var first = Batch(0, records: 2);
        var second = Batch(2);
        using (var log = _bed.Open(SmallSegments))
        {
            log.Append(first.ToArray());                       // offsets 0-1
            for (var i = 0; i < 4; i++) log.Append(Filler()); // 2-5, rolling once, at 4
            log.Append(second.ToArray());                      // 6, after the roll's snapshot
        }
        var snapshots = Snapshots();
        Assert.Equal(["00000000000000000004.snapshot", "00000000000000000007.snapshot"], snapshots);
        foreach (var name in everyOne ? snapshots : snapshots[^1..])
        {
            var path = Path.Combine(_bed.Directory, name);
            var bytes = File.ReadAllBytes(path);
            if (damage == "torn")
            {
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                continue;
            }
            // Well-formed and plausible, every offset moved, but the CRC is the original's: trusted, it would answer
            // a retry with offsets of other records.
            var moved = ProducerStateSnapshot.TryDecode(bytes, out _)!
                .Select(p => p with { Batches = p.Batches.Select(b => b with { BaseOffset = b.BaseOffset + 1, LastOffset = b.LastOffset + 1 }).ToArray() });
            var forged = ProducerStateSnapshot.Encode(moved);
            bytes.AsSpan(2, 4).CopyTo(forged.AsSpan(2));
            File.WriteAllBytes(path, forged);
        }

        using var reopened = _bed.Open(SmallSegments);

        Assert.Contains(_bed.Logger.Entries, e => e.Message.Contains("Ignoring producer-state snapshot") && e.Message.Contains(snapshots[^1]));
        AssertDuplicate(reopened, first, 0, 1);
        AssertDuplicate(reopened, second, 6, 6);
        // Damaged files are gone; with none left, the full replay's result was snapshotted afresh.
        Assert.All(Snapshots(), name => Assert.NotNull(ProducerStateSnapshot.TryRead(_bed.Directory, long.Parse(name[..20]), out _)));
    }

    [Fact]
    public void A_snapshot_past_the_log_end_is_not_used_when_the_tail_was_lost()
    {
        var first = Batch(0);
        var lost = Batch(1);
        long sizeBeforeLost;
        using (var log = _bed.Open())
        {
            log.Append(first.ToArray());
            sizeBeforeLost = log.SizeBytes;
            log.Append(lost.ToArray());
        }
        Assert.Equal(["00000000000000000002.snapshot"], Snapshots());
        // The disk kept the close's snapshot but not the last batch.
        using (var file = File.OpenHandle(_bed.ActiveLogFile(), FileMode.Open, FileAccess.Write)) RandomAccess.SetLength(file, sizeBeforeLost);

        using var reopened = _bed.Open();

        Assert.Equal(1, reopened.LogEndOffset);
        Assert.Equal(["00000000000000000001.snapshot"], Snapshots());
        // Answered from the snapshot, the retry would be acknowledged at offset 1, which the log no longer holds.
        Assert.Equal(1, reopened.Append(lost.ToArray()).BaseOffset);
        Assert.Equal(2, reopened.LogEndOffset);
        AssertDuplicate(reopened, first, 0, 0);
    }

    [Fact]
    public void A_log_without_snapshots_is_replayed_once_and_snapshotted_at_once()
    {
        var batch = Batch(0, records: 2);
        using (var log = _bed.Open())
        {
            log.Append(batch.ToArray());
            log.Append(Filler());
        }
        // As a log written before snapshots existed.
        foreach (var name in Snapshots()) File.Delete(Path.Combine(_bed.Directory, name));

        using (var reopened = _bed.Open())
        {
            Assert.Equal(["00000000000000000003.snapshot"], Snapshots());
            AssertDuplicate(reopened, batch, 0, 1);
        }
    }

    [Fact]
    public void A_truncated_follower_restores_its_producers_without_the_cut_batches()
    {
        var kept = Batch(0);
        var cut = Batch(1);
        using var log = _bed.Open(SmallSegments);
        log.Append(kept.ToArray());                        // 0
        log.Append(Filler(MostOfASegment));                // 1
        log.Append(Filler(MostOfASegment));                // 2, rolled: snapshot at 2
        log.Append(cut.ToArray());                         // 3
        log.Append(Filler(MostOfASegment));                // 4, rolled: snapshot at 4, holding the cut batch
        Assert.Equal(["00000000000000000002.snapshot", "00000000000000000004.snapshot"], Snapshots());

        log.TruncateTo(3);

        Assert.Equal(["00000000000000000002.snapshot"], Snapshots());
        AssertDuplicate(log, kept, 0, 0);
        Assert.Equal(3, log.Append(cut.ToArray()).BaseOffset);
    }

    [Fact]
    public void Producers_idle_past_the_expiration_are_forgotten_and_left_out_of_snapshots()
    {
        var expiration = TimeSpan.FromHours(1);
        var idle = Batch(0, producer: 1);
        var active = Batch(0, producer: 2);
        using (var log = _bed.Open(producerIdExpiration: expiration))
        {
            log.Append(idle.ToArray());
            _bed.Clock.Advance(TimeSpan.FromMinutes(30));
            log.Append(active.ToArray());
            _bed.Clock.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, log.RemoveExpiredProducers());
            _bed.Clock.Advance(TimeSpan.FromMilliseconds(1));
            // Not removed by a timer here: the snapshot written at close leaves it out by itself.
            Assert.Equal(2, log.ProducerCount);
        }
        var snapshot = ProducerStateSnapshot.TryRead(_bed.Directory, 2, out _);
        Assert.Equal([2L], snapshot!.Select(p => p.ProducerId));

        using var reopened = _bed.Open(producerIdExpiration: expiration);
        Assert.Equal(1, reopened.ProducerCount);
        AssertDuplicate(reopened, active, 1, 1);
        _bed.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(1, reopened.RemoveExpiredProducers());
        Assert.Equal(0, reopened.ProducerCount);
    }
}
