using Hub.Partitions;
using Hub.Silo.Log;
using Microsoft.Win32.SafeHandles;

namespace Hub.Silo.Cleaner;

/// <summary>
/// One cleaning of one log, planned in the log's turn by <see cref="SegmentLog.StartCompaction"/> and carried out off
/// it by <see cref="LogCompactor"/>: the closed segments from the log start up to the first uncleanable offset, each
/// with a read handle of the cleaner's own (so the log may close or delete its segments meanwhile: the cleaner reads
/// on, and the swap then sees the log changed and throws the work away), and what the rules need. Dispose closes the
/// handles.
/// </summary>
internal sealed class CompactionJob : IDisposable
{
    public required string Directory { get; init; }

    public required IReadOnlyList<Segment> Segments { get; init; }

    public required long FirstDirtyOffset { get; init; }

    public required long FirstUncleanableOffset { get; init; }

    public required long NowMs { get; init; }

    public required long DeleteRetentionMs { get; init; }

    /// <summary>The topic's segment.bytes: the most a rewritten segment may hold before cleaning.</summary>
    public required int MaxSegmentBytes { get; init; }

    public required IReadOnlyDictionary<long, long> ProducerLastOffsets { get; init; }

    /// <summary>The aborted transactions with records in <see cref="Segments"/>: their batches are dropped.</summary>
    public required AbortedTransaction[] AbortedTransactions { get; init; }

    /// <summary>The log's segment list version when planned; a swap for another version is thrown away.</summary>
    public required long LogVersion { get; init; }

    /// <summary>A closed segment to read: <see cref="Source"/> is the log's own, compared by identity at the swap.</summary>
    public sealed record Segment(LogSegment Source, SafeFileHandle Reader, long BaseOffset, long EndOffset, long Size, DateTime LastWriteUtc);

    public void Dispose()
    {
        foreach (var segment in Segments) segment.Reader.Dispose();
    }
}
