using Hub.Silo.Log;
using Hub.Silo.Storage;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Cleaner;

/// <summary>
/// Puts a cleaned segment in place of the old ones it replaces, crash-safely, Kafka's way: the cleaned file (fsynced)
/// is renamed from ".cleaned" to ".swap", the old segments' files are deleted, and the ".swap" is renamed to ".log";
/// the directory is fsynced after each rename and after the deletions. <see cref="RecoverInterrupted"/>, run when a
/// log opens, finishes what a crash interrupted: a ".cleaned" file is a swap that never began and is deleted (the old
/// segments are whole); a ".swap" file is a swap that began, so every segment inside its offsets is deleted and the
/// ".swap" renamed to ".log". A cleaned segment always ends where the old ones did (its last batch is kept, emptied if
/// need be), so its own batches say which old segments it replaces.
/// </summary>
internal static partial class SegmentSwap
{
    public const string CleanedExtension = ".cleaned";
    public const string SwapExtension = ".swap";

    private const string SwapLogExtension = SegmentFileName.LogExtension + SwapExtension;

    /// <summary>Scanning a ".swap" file for its end reads this much at a time.</summary>
    private const int ScanBufferBytes = 1024 * 1024;

    /// <summary>
    /// Swaps <paramref name="cleaned"/> in for the old segments (disposed and deleted here). The caller opens the new
    /// segment after. <paramref name="afterStep"/> (tests only) runs after each <see cref="SwapStep"/>.
    /// </summary>
    public static void Swap(string directory, CleanedSegment cleaned, DiskIo io, Action<SwapStep>? afterStep)
    {
        afterStep?.Invoke(SwapStep.CleanedWritten);
        var swap = Path.Combine(directory, SegmentFileName.For(cleaned.BaseOffset, SwapLogExtension));
        io.Move(cleaned.Path, swap);
        io.FsyncDirectory(directory);
        afterStep?.Invoke(SwapStep.RenamedToSwap);
        for (var i = 0; i < cleaned.Replaces.Count; i++)
        {
            cleaned.Replaces[i].Source.Delete();
            if (i == 0) afterStep?.Invoke(SwapStep.FirstOldSegmentDeleted);
        }
        io.FsyncDirectory(directory);
        afterStep?.Invoke(SwapStep.OldSegmentsDeleted);
        io.Move(swap, Path.Combine(directory, SegmentFileName.For(cleaned.BaseOffset, SegmentFileName.LogExtension)));
        io.FsyncDirectory(directory);
        afterStep?.Invoke(SwapStep.Installed);
    }

    /// <summary>Completes or rolls back swaps a crash interrupted in <paramref name="directory"/> (see the class comment).</summary>
    public static void RecoverInterrupted(string directory, DiskIo io, ILogger logger)
    {
        var changed = false;
        foreach (var path in Directory.EnumerateFiles(directory, "*" + CleanedExtension))
        {
            LogRollingBack(logger, Path.GetFileName(path));
            io.Delete(path);
            changed = true;
        }
        var swaps = Directory.EnumerateFiles(directory, "*" + SwapLogExtension)
            .Select(path => SegmentFileName.TryParse(path, SwapLogExtension, out var baseOffset) ? (Path: path, BaseOffset: baseOffset) : default)
            .Where(swap => swap.Path is not null)
            .OrderBy(swap => swap.BaseOffset)
            .ToList();
        foreach (var (path, baseOffset) in swaps)
        {
            var end = EndOf(path, baseOffset);
            LogCompleting(logger, Path.GetFileName(path), baseOffset, end);
            foreach (var old in Directory.EnumerateFiles(directory, "*" + SegmentFileName.LogExtension).ToList())
            {
                if (!SegmentFileName.TryParseLog(old, out var oldBase) || oldBase < baseOffset || oldBase >= end) continue;
                foreach (var extension in new[] { SegmentFileName.IndexExtension, SegmentFileName.TimeIndexExtension, SegmentFileName.LogExtension })
                    io.Delete(Path.Combine(directory, SegmentFileName.For(oldBase, extension)));
            }
            io.Delete(Path.Combine(directory, SegmentFileName.For(baseOffset, SegmentFileName.IndexExtension)));
            io.Delete(Path.Combine(directory, SegmentFileName.For(baseOffset, SegmentFileName.TimeIndexExtension)));
            io.FsyncDirectory(directory);
            io.Move(path, Path.Combine(directory, SegmentFileName.For(baseOffset, SegmentFileName.LogExtension)));
            changed = true;
        }
        if (changed) io.FsyncDirectory(directory);
    }

    /// <summary>The offset after a ".swap" file's last batch (it was fsynced before its rename, so it is whole).</summary>
    private static long EndOf(string path, long baseOffset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        using var cursor = new BatchCursor(file, 0, RandomAccess.GetLength(file), ScanBufferBytes);
        var end = baseOffset;
        while (cursor.MoveNext()) end = cursor.Header.LastOffset + 1;
        return end;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting {File}: a cleaning was interrupted before its swap began; the old segments stay")]
    private static partial void LogRollingBack(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Completing the interrupted swap of {File}: it replaces the segments in offsets [{Base}, {End})")]
    private static partial void LogCompleting(ILogger logger, string file, long @base, long end);
}
