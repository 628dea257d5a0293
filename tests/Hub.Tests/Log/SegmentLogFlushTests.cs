namespace Hub.Tests.Log;

public sealed class SegmentLogFlushTests : IDisposable
{
    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Flush_messages_one_fsyncs_every_append()
    {
        using var log = _bed.Open(LogTestBed.Config with { FlushMessages = 1 });

        for (var i = 0; i < 5; i++) log.Append(TestBatches.Build(1, "a"));

        Assert.Equal(5, log.FlushCount);
    }

    [Fact]
    public void Flush_messages_counts_records()
    {
        using var log = _bed.Open(LogTestBed.Config with { FlushMessages = 5 });

        log.Append(TestBatches.Build(1, "a", "b"));
        log.Append(TestBatches.Build(1, "c", "d"));
        Assert.Equal(0, log.FlushCount);
        log.Append(TestBatches.Build(1, "e"));
        Assert.Equal(1, log.FlushCount);
    }

    [Fact]
    public void Flush_ms_zero_fsyncs_every_append()
    {
        using var log = _bed.Open(LogTestBed.Config with { FlushMs = 0 });

        log.Append(TestBatches.Build(1, "a"));
        log.Append(TestBatches.Build(1, "b"));

        Assert.Equal(2, log.FlushCount);
    }

    [Fact]
    public void Flush_ms_fsyncs_once_the_oldest_unflushed_append_is_that_old()
    {
        using var log = _bed.Open(LogTestBed.Config with { FlushMs = 1000 });
        log.Append(TestBatches.Build(1, "a"));
        _bed.Clock.Advance(TimeSpan.FromMilliseconds(600));
        log.Append(TestBatches.Build(1, "b"));
        Assert.Equal(0, log.FlushCount);

        _bed.Clock.Advance(TimeSpan.FromMilliseconds(399));
        Assert.False(log.FlushIfDue());
        _bed.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(log.FlushIfDue());

        Assert.Equal(1, log.FlushCount);
        Assert.False(log.FlushIfDue());
    }

    [Fact]
    public async Task Flush_ms_is_kept_by_a_background_fsync_never_by_an_append()
    {
        using var log = _bed.Open(LogTestBed.Config with { FlushMs = 1000 });
        log.Append(TestBatches.Build(1, "a"));
        _bed.Clock.Advance(TimeSpan.FromSeconds(2));
        log.Append(TestBatches.Build(1, "b")); // overdue, but appends don't wait for an fsync
        Assert.Equal(0, log.FlushCount);

        var flush = log.FlushInBackgroundIfDue();
        Assert.NotNull(flush);
        Assert.Null(log.FlushInBackgroundIfDue()); // nothing unflushed is left over
        log.Append(TestBatches.Build(1, "c")); // goes on while the fsync runs
        await flush.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, log.FlushCount);

        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        await log.FlushInBackgroundIfDue()!.WaitAsync(TimeSpan.FromSeconds(30)); // "c" is due in turn
        Assert.Equal(2, log.FlushCount);
        Assert.Equal(3, log.LogEndOffset);
    }

    [Fact]
    public void Explicit_flush_only_fsyncs_when_something_is_unflushed()
    {
        using var log = _bed.Open();
        log.Flush();
        Assert.Equal(0, log.FlushCount);

        log.Append(TestBatches.Build(1, "a"));
        log.Flush();
        log.Flush();

        Assert.Equal(1, log.FlushCount);
    }
}
