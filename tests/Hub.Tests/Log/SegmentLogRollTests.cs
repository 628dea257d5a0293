namespace Hub.Tests.Log;

public sealed class SegmentLogRollTests : IDisposable
{
    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Rolls_before_an_append_that_would_exceed_segment_bytes()
    {
        var batch = TestBatches.OfValueSize(1, 1000);
        using var log = _bed.Open(LogTestBed.Config with { SegmentBytes = 3 * batch.Length });

        for (var i = 0; i < 3; i++) log.Append(batch.ToArray());
        Assert.Equal(1, log.SegmentCount);
        log.Append(batch.ToArray());

        Assert.Equal(2, log.SegmentCount);
        Assert.True(File.Exists(Path.Combine(_bed.Directory, "00000000000000000003.log")));
        Assert.True(File.Exists(Path.Combine(_bed.Directory, "00000000000000000000.index")));
        Assert.True(File.Exists(Path.Combine(_bed.Directory, "00000000000000000000.timeindex")));
    }

    [Fact]
    public void An_append_larger_than_segment_bytes_gets_a_segment_of_its_own()
    {
        using var log = _bed.Open(LogTestBed.Config with { SegmentBytes = 1000 });

        log.Append(TestBatches.OfValueSize(1, 10));
        log.Append(TestBatches.OfValueSize(1, 5000));
        log.Append(TestBatches.OfValueSize(1, 10));

        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(3, TestBatches.Split(log.Read(0, int.MaxValue).Memory).Count);
    }

    [Fact]
    public void Rolls_once_the_active_segment_is_segment_ms_old()
    {
        using var log = _bed.Open(LogTestBed.Config with { SegmentMs = 60_000 });
        log.Append(TestBatches.Build(_bed.Clock.NowMs, "a"));

        _bed.Clock.Advance(TimeSpan.FromSeconds(59));
        log.Append(TestBatches.Build(_bed.Clock.NowMs, "b"));
        Assert.Equal(1, log.SegmentCount);

        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        log.Append(TestBatches.Build(_bed.Clock.NowMs, "c"));
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, TestBatches.Split(log.Read(2, int.MaxValue).Memory).Single().Header.BaseOffset);
    }

    [Fact]
    public void An_empty_segment_does_not_roll_by_age()
    {
        using var log = _bed.Open(LogTestBed.Config with { SegmentMs = 1 });
        _bed.Clock.Advance(TimeSpan.FromHours(1));

        log.Append(TestBatches.Build(_bed.Clock.NowMs, "a"));

        Assert.Equal(1, log.SegmentCount);
    }

    [Fact]
    public void Reads_cross_many_segments()
    {
        var batch = TestBatches.OfValueSize(1, 200);
        using var log = _bed.Open(LogTestBed.Config with { SegmentBytes = 2 * batch.Length });
        for (var i = 0; i < 20; i++) log.Append(batch.ToArray());
        Assert.Equal(10, log.SegmentCount);

        var all = TestBatches.Split(log.Read(1, int.MaxValue).Memory);
        Assert.Equal(Enumerable.Range(1, 19).Select(i => (long)i), all.Select(b => b.Header.BaseOffset));
        var some = TestBatches.Split(log.Read(5, 5 * batch.Length).Memory);
        Assert.Equal(Enumerable.Range(5, 5).Select(i => (long)i), some.Select(b => b.Header.BaseOffset));
    }

    [Fact]
    public void Index_lookups_find_every_offset_among_ten_thousand_small_batches()
    {
        var config = LogTestBed.Config with { SegmentBytes = 256 * 1024 };
        var random = new Random(7);
        var lastOffsets = new List<long>();
        using (var log = _bed.Open(config))
        {
            for (var i = 0; i < 10_000; i++)
                lastOffsets.Add(log.Append(TestBatches.Random(random, i, 3, 40)).LastOffset);
            Assert.True(log.SegmentCount > 3);
            AssertEveryOffsetFindsItsBatch(log, lastOffsets);
        }
        using (var reopened = _bed.Open(config))
        {
            Assert.DoesNotContain(_bed.Logger.Entries, e => e.Message.Contains("Rebuilding"));
            AssertEveryOffsetFindsItsBatch(reopened, lastOffsets);
        }
    }

    private static void AssertEveryOffsetFindsItsBatch(Hub.Silo.Log.SegmentLog log, List<long> lastOffsets)
    {
        var batch = 0;
        for (long offset = 0; offset < log.LogEndOffset; offset++)
        {
            if (offset > lastOffsets[batch]) batch++;
            var header = TestBatches.Split(log.Read(offset, 1).Memory).Single().Header;
            Assert.Equal(lastOffsets[batch], header.LastOffset);
        }
    }
}
