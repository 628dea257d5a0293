using Hub.Topics;

namespace Hub.Silo.Cleaner;

/// <summary>
/// Decides what of a compacted log may be cleaned, and when it is due, as Kafka's LogCleanerManager does. Cleaning
/// works on whole closed segments from the log start; the cleanable part ends at the first segment that
/// <list type="bullet">
/// <item>holds an offset at or past the stable offset (the last stable offset, at most the high watermark: nothing a
/// replica may still lose, or a consumer can't read yet, or an open transaction wrote, is cleaned),</item>
/// <item>or holds a record newer than min.compaction.lag.ms (among the dirty segments),</item>
/// <item>or is the active segment, which is never cleaned.</item>
/// </list>
/// A log is due when it has dirty bytes and either its dirty ratio is above min.cleanable.dirty.ratio, or its oldest
/// dirty record passed max.compaction.lag.ms. Plain logic on a <see cref="TimeProvider"/>.
/// </summary>
internal sealed class CompactionPolicy(TimeProvider time)
{
    /// <param name="closed">The closed segments, oldest first (the active one excluded).</param>
    /// <param name="firstDirtyOffset">Where the last cleaning ended (the log start when it never ran).</param>
    /// <param name="stableOffset">Offsets from here on are not cleaned: the last stable offset, capped at the log end.</param>
    /// <param name="activeBaseOffset">The active segment's base offset.</param>
    public CleanableRange Range(IReadOnlyList<SegmentSummary> closed, long firstDirtyOffset, long stableOffset, long activeBaseOffset, TopicConfig config)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        long cleanBytes = 0, dirtyBytes = 0;
        long? oldestDirtyMs = null;
        var firstUncleanable = activeBaseOffset;
        foreach (var segment in closed)
        {
            if (segment.EndOffset > stableOffset || (segment.EndOffset > firstDirtyOffset && IsWithinMinLag(segment, config, nowMs)))
            {
                firstUncleanable = segment.BaseOffset;
                break;
            }
            if (segment.EndOffset <= firstDirtyOffset)
            {
                cleanBytes += segment.SizeBytes;
                continue;
            }
            dirtyBytes += segment.SizeBytes;
            oldestDirtyMs ??= segment.FirstBatchTimestampMs;
        }
        var maxLagPassed = dirtyBytes > 0 && oldestDirtyMs is { } oldest && oldest >= 0 && nowMs - oldest > config.MaxCompactionLagMs;
        return new CleanableRange(Math.Min(firstDirtyOffset, firstUncleanable), firstUncleanable, cleanBytes, dirtyBytes, maxLagPassed);
    }

    /// <summary>Whether a log in <paramref name="range"/> should be cleaned now; <paramref name="minDirtyRatio"/> is the topic's, or the silo's default.</summary>
    public static bool IsDue(in CleanableRange range, double minDirtyRatio) =>
        range.DirtyBytes > 0 && (range.MaxLagPassed || range.DirtyRatio > minDirtyRatio);

    /// <summary>The largest segment for max.compaction.lag.ms-driven rolling: a compacted log's active segment rolls by then, so its records can be cleaned in time.</summary>
    public static long RollAfterMs(TopicConfig config, bool compacted) =>
        compacted ? Math.Min(config.SegmentMs, config.MaxCompactionLagMs) : config.SegmentMs;

    private static bool IsWithinMinLag(in SegmentSummary segment, TopicConfig config, long nowMs) =>
        config.MinCompactionLagMs > 0 && segment.NewestTimestampMs > nowMs - config.MinCompactionLagMs;
}
