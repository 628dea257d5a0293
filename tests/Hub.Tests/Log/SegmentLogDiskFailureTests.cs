using Hub.Errors;
using Hub.Silo.Storage;

namespace Hub.Tests.Log;

/// <summary>
/// A log whose disk fails (issue 14 item 6), through the <see cref="DiskIo"/> seam's fault switch on real files:
/// a failed write or fsync is never counted as durable, and every failure is reported.
/// </summary>
public sealed class SegmentLogDiskFailureTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly LogTestBed _bed = new();
    private readonly IoFaultSwitch _faults = new();
    private readonly List<IOException> _reported = [];
    private readonly DiskIo _io;

    public SegmentLogDiskFailureTests() => _io = new DiskIo(_faults, e => { lock (_reported) _reported.Add(e); });

    public void Dispose() => _bed.Dispose();

    [Fact]
    public async Task A_failed_background_fsync_leaves_its_appends_unflushed()
    {
        var log = _bed.Open(LogTestBed.Config with { FlushMs = 100 }, io: _io);
        log.Append(TestBatches.Build(1, "a"));
        _bed.Clock.Advance(TimeSpan.FromMilliseconds(100));
        _faults.Set(true);

        var flush = log.FlushInBackgroundIfDue();
        Assert.NotNull(flush);
        await Assert.ThrowsAsync<IOException>(() => flush.WaitAsync(Bound));

        Assert.Equal(0, log.FlushCount);
        Assert.Single(_reported);
        // Still due: nothing was counted as on disk, so the next flush covers the same appends.
        _faults.Set(false);
        await log.FlushInBackgroundIfDue()!.WaitAsync(Bound);
        Assert.Equal(1, log.FlushCount);
        log.Dispose();
    }

    [Fact]
    public void A_failed_write_fails_the_append_with_KAFKA_STORAGE_ERROR_and_leaves_nothing_behind()
    {
        var log = _bed.Open(io: _io);
        log.Append(TestBatches.Build(1, "a"));
        _faults.Set(true);

        var refused = Assert.Throws<HubException>(() => log.Append(TestBatches.Build(1, "b")));

        Assert.Equal(ErrorCode.KafkaStorageError, refused.Code);
        Assert.NotEmpty(_reported);
        Assert.Equal(1, log.LogEndOffset);
        log.Close();
        _faults.Set(false);
        using var reopened = _bed.Open();
        Assert.Equal(1, reopened.LogEndOffset);
    }

    [Fact]
    public void A_failed_fsync_counts_nothing_as_flushed()
    {
        var log = _bed.Open(io: _io);
        log.Append(TestBatches.Build(1, "a"));
        _faults.Set(true);

        Assert.Throws<IOException>(log.Flush);

        Assert.NotEmpty(_reported);
        Assert.Equal(0, log.FlushCount);
        log.Close();
    }

    [Fact]
    public void Closing_a_log_on_a_failed_disk_writes_nothing()
    {
        var log = _bed.Open(io: _io);
        log.Append(TestBatches.Build(1, "a"));
        _faults.Set(true);

        log.Close();

        Assert.Empty(_reported);
        _faults.Set(false);
        using var reopened = _bed.Open();
        Assert.Equal(1, reopened.LogEndOffset);
    }

    [Fact]
    public async Task Appends_wait_for_a_flush_only_once_it_is_overdue()
    {
        using var log = _bed.Open(LogTestBed.Config with { FlushMs = 100 }, io: _io);
        log.Append(TestBatches.Build(1, "a"));
        _bed.Clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Null(log.OverdueFlush()); // due, and left to the background fsync

        _bed.Clock.Advance(Hub.Silo.Log.FlushPolicy.MaxFlushLateness);
        var overdue = log.OverdueFlush();
        Assert.NotNull(overdue);
        await overdue.WaitAsync(Bound);

        Assert.Equal(1, log.FlushCount);
        Assert.Null(log.OverdueFlush());
    }
}
