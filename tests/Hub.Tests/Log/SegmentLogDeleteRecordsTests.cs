using Hub.Errors;
using Hub.Partitions;

namespace Hub.Tests.Log;

/// <summary>DeleteRecords on one log: the log start moves inside a segment, durably, and whole segments below it go.</summary>
public sealed class SegmentLogDeleteRecordsTests : IDisposable
{
    /// <summary>A config that keeps each segment small: two two-record test batches each.</summary>
    private static readonly Hub.Topics.TopicConfig OneBatchPerSegment = LogTestBed.Config with { SegmentBytes = 200 };

    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void The_log_start_moves_inside_a_segment_deletes_the_segments_below_and_survives_a_reopen()
    {
        using (var log = _bed.Open(OneBatchPerSegment))
        {
            for (var i = 0; i < 6; i++) log.Append(TestBatches.Build(_bed.Clock.NowMs, "a", "b"));
            var before = SegmentBases();
            Assert.True(before.Count >= 3, $"segments at {string.Join(", ", before)}");
            // Kept: the segment holding offset 5 (the last starting at or before it) and every later one.
            var kept = before.Where((b, i) => i + 1 == before.Count || before[i + 1] > 5).ToList();

            Assert.Equal(5, log.DeleteRecordsBefore(5));

            Assert.Equal((5L, 12L), (log.LogStartOffset, log.LogEndOffset));
            Assert.Equal(kept, SegmentBases());
            Assert.True(kept[0] < 5); // the start lies inside the first segment
            Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.Read(4, 1000).Memory).Code);
            Assert.Equal(4, TestBatches.Split(log.Read(5, 1000).Memory).First().Header.BaseOffset); // the batch holding 5, whole
            Assert.Equal(5, log.OffsetForTimestamp(OffsetSpec.Earliest).Offset);
            Assert.Equal(5, log.DeleteRecordsBefore(1)); // never back
        }
        using var reopened = _bed.Open(OneBatchPerSegment);
        Assert.Equal((5L, 12L), (reopened.LogStartOffset, reopened.LogEndOffset));
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => reopened.Read(4, 1000).Memory).Code);
    }

    private List<long> SegmentBases() => Directory.EnumerateFiles(_bed.Directory, "*.log")
        .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();

    [Fact]
    public void Deleting_up_to_the_log_end_keeps_the_active_segment_and_appends_go_on()
    {
        using var log = _bed.Open(OneBatchPerSegment);
        for (var i = 0; i < 3; i++) log.Append(TestBatches.Build(_bed.Clock.NowMs, "a", "b"));

        Assert.Equal(6, log.DeleteRecordsBefore(6));

        Assert.Equal((6L, 6L), (log.LogStartOffset, log.LogEndOffset));
        Assert.True(log.Read(6, 1000).Memory.IsEmpty);
        Assert.Equal(6, log.Append(TestBatches.Build(_bed.Clock.NowMs, "c")).BaseOffset);
        Assert.Equal(6, log.OffsetForTimestamp(OffsetSpec.Earliest).Offset);
    }

    [Fact]
    public void An_offset_past_the_log_end_is_out_of_range_and_changes_nothing()
    {
        using var log = _bed.Open(OneBatchPerSegment);
        log.Append(TestBatches.Build(_bed.Clock.NowMs, "a", "b"));

        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.DeleteRecordsBefore(3)).Code);

        Assert.Equal(0, log.LogStartOffset);
        Assert.False(File.Exists(Path.Combine(_bed.Directory, Hub.Silo.Log.LogStartCheckpoint.FileName)));
    }

    [Fact]
    public void A_follower_reset_below_a_checkpointed_start_starts_where_it_was_reset_after_a_reopen()
    {
        var leaderDirectory = Path.GetFullPath(Path.Combine(_bed.Directory, "..", "leader"));
        Directory.CreateDirectory(leaderDirectory);
        using var leader = _bed.Open(OneBatchPerSegment, leaderDirectory);
        leader.Append(TestBatches.Build(_bed.Clock.NowMs, "p"));
        leader.Append(TestBatches.Build(_bed.Clock.NowMs, "q", "r", "s", "t", "u", "v", "w")); // offsets 1 to 7
        using (var log = _bed.Open(OneBatchPerSegment))
        {
            for (var i = 0; i < 3; i++) log.Append(TestBatches.Build(_bed.Clock.NowMs, "a", "b"));
            log.DeleteRecordsBefore(5);
            log.ResetTo(1);
            log.AppendReplicated(leader.Read(1, int.MaxValue).Memory);
        }
        using var reopened = _bed.Open(OneBatchPerSegment);
        Assert.Equal((1L, 8L), (reopened.LogStartOffset, reopened.LogEndOffset));
    }
}
