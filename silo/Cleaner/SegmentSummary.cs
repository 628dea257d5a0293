namespace Hub.Silo.Cleaner;

/// <summary>A closed segment as <see cref="CompactionPolicy"/> sees it.</summary>
/// <param name="EndOffset">The next segment's base offset: segments are contiguous, whatever gaps the cleaner left inside them.</param>
/// <param name="NewestTimestampMs">The newest record's timestamp, else the last write (what min.compaction.lag.ms measures).</param>
/// <param name="FirstBatchTimestampMs">The first batch's timestamp, else the file's creation (what max.compaction.lag.ms measures).</param>
internal readonly record struct SegmentSummary(long BaseOffset, long EndOffset, long SizeBytes, long NewestTimestampMs, long FirstBatchTimestampMs);
