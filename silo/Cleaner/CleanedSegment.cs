namespace Hub.Silo.Cleaner;

/// <summary>
/// A cleaned segment written to "&lt;base&gt;.log.cleaned", to replace the run of old segments <see cref="Replaces"/>
/// (consecutive, the first starting at <see cref="BaseOffset"/>, the last ending at <see cref="EndOffset"/>).
/// </summary>
internal sealed record CleanedSegment(long BaseOffset, long EndOffset, string Path, long Size, IReadOnlyList<CompactionJob.Segment> Replaces);
