namespace Hub.Silo.Cleaner;

/// <summary>
/// Where a compacted log stands for its cleaner (Kafka's LogToClean): records before <see cref="FirstDirtyOffset"/>
/// were cleaned already, those from there to <see cref="FirstUncleanableOffset"/> (a segment boundary) may be cleaned
/// now, and the rest may not yet. Sizes count whole closed segments; a segment the last cleaning ended inside counts
/// as dirty.
/// </summary>
/// <param name="MaxLagPassed">The oldest dirty record is older than max.compaction.lag.ms: clean whatever the ratio.</param>
internal readonly record struct CleanableRange(long FirstDirtyOffset, long FirstUncleanableOffset, long CleanBytes, long DirtyBytes, bool MaxLagPassed)
{
    /// <summary>The dirty part's share of the cleanable log, 0 to 1: what min.cleanable.dirty.ratio is compared with.</summary>
    public double DirtyRatio => CleanBytes + DirtyBytes == 0 ? 0 : (double)DirtyBytes / (CleanBytes + DirtyBytes);
}
