namespace Hub.Silo.Cleaner;

/// <summary>
/// The steps of <see cref="SegmentSwap.Swap"/>, after each of which a test hook may stop it as a crash would (see
/// <see cref="Hub.Silo.Configuration.FaultInjectionOptions.CleanerCrashStep"/>).
/// </summary>
public enum SwapStep
{
    /// <summary>The ".cleaned" file is written and fsynced; nothing of the log changed. A crash now rolls back.</summary>
    CleanedWritten,

    /// <summary>".cleaned" was renamed to ".swap". From here a crash's recovery completes the swap.</summary>
    RenamedToSwap,

    /// <summary>The first old segment's files are deleted, the others not yet.</summary>
    FirstOldSegmentDeleted,

    /// <summary>Every old segment's files are deleted.</summary>
    OldSegmentsDeleted,

    /// <summary>".swap" was renamed to ".log"; its indexes are not written yet.</summary>
    Installed,
}
