using Hub.Silo.Cleaner;
using Hub.Tests.Support;
using Hub.Topics;

namespace Hub.Tests.Cleaner;

public sealed class CompactionPolicyTests
{
    private static readonly TopicConfig Compacted = TopicConfig.Default with { CleanupPolicy = "compact" };

    private readonly ManualTimeProvider _clock = new();

    private CompactionPolicy Policy => new(_clock);

    /// <summary>Closed segments of 100 bytes and 10 offsets each, all written <paramref name="ageMs"/> ago.</summary>
    private SegmentSummary[] Segments(int count, long ageMs = 0) => Enumerable.Range(0, count)
        .Select(i => new SegmentSummary(i * 10, i * 10 + 10, 100, _clock.NowMs - ageMs, _clock.NowMs - ageMs)).ToArray();

    [Fact]
    public void The_dirty_ratio_is_the_dirty_part_of_the_closed_segments_below_the_stable_offset()
    {
        var range = Policy.Range(Segments(4), firstDirtyOffset: 10, stableOffset: 100, activeBaseOffset: 40, Compacted);

        Assert.Equal(new CleanableRange(10, 40, 100, 300, false), range);
        Assert.Equal(0.75, range.DirtyRatio);
        Assert.True(CompactionPolicy.IsDue(range, 0.5));
        Assert.False(CompactionPolicy.IsDue(range, 0.75)); // Kafka cleans above the ratio, not at it
    }

    [Fact]
    public void Nothing_at_or_past_the_stable_offset_is_cleanable()
    {
        // The high watermark is inside the third segment: it and everything after wait.
        var range = Policy.Range(Segments(4), firstDirtyOffset: 0, stableOffset: 25, activeBaseOffset: 40, Compacted);

        Assert.Equal((20L, 200L), (range.FirstUncleanableOffset, range.DirtyBytes));
        Assert.Equal(0, Policy.Range(Segments(4), 0, stableOffset: 5, 40, Compacted).DirtyBytes);
    }

    [Fact]
    public void A_fully_clean_log_is_not_due_whatever_the_ratio()
    {
        var range = Policy.Range(Segments(3), firstDirtyOffset: 30, stableOffset: 100, activeBaseOffset: 30, Compacted);

        Assert.Equal((300L, 0L), (range.CleanBytes, range.DirtyBytes));
        Assert.False(CompactionPolicy.IsDue(range, 0));
    }

    [Fact]
    public void Segments_within_the_min_compaction_lag_wait_and_so_does_everything_after_them()
    {
        var config = Compacted with { MinCompactionLagMs = 60_000 };
        var segments = Segments(4, ageMs: 120_000);
        segments[2] = segments[2] with { NewestTimestampMs = _clock.NowMs - 30_000 };

        var range = Policy.Range(segments, 0, 100, 40, config);

        Assert.Equal((20L, 200L), (range.FirstUncleanableOffset, range.DirtyBytes));
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(40, Policy.Range(segments, 0, 100, 40, config).FirstUncleanableOffset);
    }

    [Fact]
    public void Passing_the_max_compaction_lag_makes_a_log_due_below_its_dirty_ratio()
    {
        var config = Compacted with { MaxCompactionLagMs = 60_000 };
        // Nine clean segments and one dirty: a ratio of 0.1.
        var segments = Segments(10, ageMs: 30_000);

        var range = Policy.Range(segments, 90, 200, 100, config);
        Assert.False(range.MaxLagPassed);
        Assert.False(CompactionPolicy.IsDue(range, 0.5));

        _clock.Advance(TimeSpan.FromSeconds(31));
        range = Policy.Range(segments, 90, 200, 100, config);
        Assert.True(range.MaxLagPassed);
        Assert.True(CompactionPolicy.IsDue(range, 0.5));
    }

    [Fact]
    public void A_compacted_active_segment_rolls_by_the_max_compaction_lag_if_sooner_than_segment_ms()
    {
        var config = Compacted with { SegmentMs = 100_000, MaxCompactionLagMs = 60_000 };

        Assert.Equal(60_000, CompactionPolicy.RollAfterMs(config, compacted: true));
        Assert.Equal(100_000, CompactionPolicy.RollAfterMs(config, compacted: false));
    }

    [Fact]
    public async Task A_freed_cleaner_slot_goes_to_the_dirtiest_log_waiting()
    {
        var slots = new CleanerSlots(1);
        var first = await slots.WaitAsync(0.9, CancellationToken.None);
        var lessDirty = slots.WaitAsync(0.6, CancellationToken.None);
        var dirtier = slots.WaitAsync(0.8, CancellationToken.None);
        Assert.False(lessDirty.IsCompleted || dirtier.IsCompleted);

        first.Dispose();
        using (await dirtier.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.False(lessDirty.IsCompleted);
        }
        (await lessDirty.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public void The_io_throttle_pauses_just_long_enough_to_keep_the_rate()
    {
        var throttle = new IoThrottle(maxBytesPerSecond: 1_000_000, _clock);

        Assert.Equal(TimeSpan.Zero, throttle.Account(1_000_000)); // the first period is not over yet
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        // 2 MB in 0.5 s at 1 MB/s: 1.5 s more.
        Assert.Equal(TimeSpan.FromSeconds(1.5), throttle.Account(1_000_000));
    }
}
