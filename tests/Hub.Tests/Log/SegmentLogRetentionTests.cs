using Hub.Errors;

namespace Hub.Tests.Log;

public sealed class SegmentLogRetentionTests : IDisposable
{
    /// <summary>A config that puts each test batch (~170 bytes) in a segment of its own.</summary>
    private static readonly Hub.Topics.TopicConfig OneBatchPerSegment = LogTestBed.Config with { SegmentBytes = 200 };

    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Time_retention_deletes_old_segments_and_moves_the_log_start()
    {
        using var log = _bed.Open(OneBatchPerSegment with { RetentionMs = 60_000 });
        for (var i = 0; i < 4; i++)
        {
            log.Append(TestBatches.OfValueSize(_bed.Clock.NowMs, 100));
            _bed.Clock.Advance(TimeSpan.FromSeconds(30));
        }
        Assert.Equal(4, log.SegmentCount);
        // Segment i holds a record from 120 - 30 i seconds ago: the first two are past 60 s, the third is exactly 60 s old.

        Assert.Equal(2, log.EnforceRetention());

        Assert.Equal((2L, 4L, 2), (log.LogStartOffset, log.LogEndOffset, log.SegmentCount));
        Assert.False(File.Exists(Path.Combine(_bed.Directory, "00000000000000000000.log")));
        Assert.False(File.Exists(Path.Combine(_bed.Directory, "00000000000000000000.index")));
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.Read(1, 100).Memory).Code);
        Assert.Equal(2, TestBatches.Split(log.Read(2, 100).Memory).Single().Header.BaseOffset);
        Assert.Equal(0, log.EnforceRetention());
    }

    [Fact]
    public void Time_retention_rolls_and_deletes_an_expired_active_segment()
    {
        using var log = _bed.Open(LogTestBed.Config with { RetentionMs = 1000 });
        log.Append(TestBatches.Build(_bed.Clock.NowMs, "a", "b"));
        log.Append(TestBatches.Build(_bed.Clock.NowMs, "c"));
        _bed.Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, log.EnforceRetention());

        Assert.Equal((3L, 3L, 1, 0L), (log.LogStartOffset, log.LogEndOffset, log.SegmentCount, log.SizeBytes));
        Assert.True(log.Read(3, 100).Memory.IsEmpty);
        Assert.Equal(3, log.Append(TestBatches.Build(_bed.Clock.NowMs, "d")).BaseOffset);
        Assert.Equal(0, log.EnforceRetention());
    }

    [Fact]
    public void Time_retention_minus_one_keeps_everything()
    {
        using var log = _bed.Open(OneBatchPerSegment with { RetentionMs = -1 });
        log.Append(TestBatches.OfValueSize(0, 100));
        log.Append(TestBatches.OfValueSize(0, 100));

        Assert.Equal(0, log.EnforceRetention());
    }

    [Fact]
    public void Size_retention_deletes_oldest_segments_while_the_rest_still_reaches_the_limit()
    {
        var batch = TestBatches.OfValueSize(_bed.Clock.NowMs, 100);
        using var log = _bed.Open(OneBatchPerSegment with { RetentionBytes = 2 * batch.Length + 1 });
        for (var i = 0; i < 5; i++) log.Append(batch.ToArray());

        Assert.Equal(2, log.EnforceRetention());

        Assert.Equal((2L, 3, 3L * batch.Length), (log.LogStartOffset, log.SegmentCount, log.SizeBytes));
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.Read(0, 100).Memory).Code);
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.Read(6, 100).Memory).Code);
        Assert.Equal(3, TestBatches.Split(log.Read(2, int.MaxValue).Memory).Count);
    }

    [Fact]
    public void Size_retention_never_deletes_the_active_segment()
    {
        using var log = _bed.Open(LogTestBed.Config with { RetentionBytes = 0 });
        log.Append(TestBatches.OfValueSize(0, 100));

        Assert.Equal(0, log.EnforceRetention());
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public void Log_start_survives_reopen()
    {
        using (var log = _bed.Open(OneBatchPerSegment with { RetentionBytes = 0 }))
        {
            for (var i = 0; i < 3; i++) log.Append(TestBatches.OfValueSize(0, 100));
            log.EnforceRetention();
        }

        using var reopened = _bed.Open(OneBatchPerSegment);

        Assert.Equal((2L, 3L), (reopened.LogStartOffset, reopened.LogEndOffset));
    }

    [Fact]
    public void Retention_settings_follow_update_config()
    {
        using var log = _bed.Open(OneBatchPerSegment);
        for (var i = 0; i < 3; i++) log.Append(TestBatches.OfValueSize(0, 100));
        Assert.Equal(0, log.EnforceRetention());

        log.UpdateConfig(OneBatchPerSegment with { RetentionBytes = 0 });

        Assert.Equal(2, log.EnforceRetention());
    }
}
