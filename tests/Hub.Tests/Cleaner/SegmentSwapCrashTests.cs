using Hub.Silo.Cleaner;
using Hub.Silo.Log;
using Hub.Tests.Log;
using Hub.Topics;

namespace Hub.Tests.Cleaner;

/// <summary>
/// A crash at each step of a segment swap, on real files: the swap stops there (the hook throws), the log is closed
/// without writing anything as after a crash, and reopened. Whatever the step, the reopened log reads every key's
/// newest record at its offset, with its end where it was, and a cleaning after finishes the job.
/// </summary>
public sealed class SegmentSwapCrashTests : IDisposable
{
    /// <summary>Two batches of ~80 bytes a segment, and runs of two segments rewritten into one.</summary>
    private static readonly TopicConfig Compacted = LogTestBed.Config with { CleanupPolicy = "compact", SegmentBytes = 400 };

    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    public static TheoryData<SwapStep> Steps => new(Enum.GetValues<SwapStep>());

    private sealed class Crash : Exception;

    [Theory]
    [MemberData(nameof(Steps))]
    public void A_crash_at_any_swap_step_leaves_a_log_that_reads_right_and_cleans_after_a_reopen(SwapStep step)
    {
        Dictionary<string, (long, string?)> latest;
        long end;
        List<(long, string, string?)> cleanedWithoutCrash;
        using (var referenceBed = new LogTestBed())
        using (var reference = referenceBed.Open(Compacted))
        {
            Fill(reference);
            KeyedLog.Clean(reference, _bed.Clock);
            cleanedWithoutCrash = KeyedLog.Records(reference);
        }

        var log = _bed.Open(Compacted);
        try
        {
            Fill(log);
            (latest, end) = (KeyedLog.Latest(log), log.LogEndOffset);
            Assert.Throws<Crash>(() => KeyedLog.Clean(log, _bed.Clock, afterStep: s =>
            {
                if (s == step) throw new Crash();
            }));
        }
        finally
        {
            log.Close();
        }

        using var reopened = _bed.Open(Compacted);
        Assert.Equal(latest, KeyedLog.Latest(reopened));
        Assert.Equal(end, reopened.LogEndOffset);
        Assert.Empty(Directory.GetFiles(_bed.Directory, "*" + SegmentSwap.SwapExtension));
        Assert.Empty(Directory.GetFiles(_bed.Directory, "*" + SegmentSwap.CleanedExtension));
        KeyedLog.Clean(reopened, _bed.Clock);
        Assert.Equal(cleanedWithoutCrash, KeyedLog.Records(reopened));
    }

    /// <summary>Four keys overwritten across five closed segments, one of them deleted, and an active segment.</summary>
    private void Fill(SegmentLog log)
    {
        for (var i = 0; i < 10; i++)
            log.Append(KeyedLog.Batch(_bed.Clock.NowMs, ("k" + i % 4, i == 7 ? null : "v" + i)));
        log.Append(KeyedLog.Batch(_bed.Clock.NowMs, ("active", new string('a', 500))));
    }
}
