using System.Globalization;
using System.Text;
using Hub.Silo.Storage;

namespace Hub.Silo.Cleaner;

/// <summary>
/// Where a compacted log is clean up to, and below which offset its batches may have gaps between them, in
/// "cleaner-offset-checkpoint" beside its segments (Kafka keeps one such file per log directory; one per log keeps
/// each log's files its own). Text: a version line "0", then the two offsets. Written atomically after each swap,
/// and before a follower stores batches that came with a gap. Missing or unreadable, the log counts as never
/// cleaned and without gaps: a cleaning then finds little to drop, and a recovery scan cuts a log at its first gap.
/// </summary>
internal static class CleanerCheckpoint
{
    /// <param name="CleanedUpTo">Records before it were compacted.</param>
    /// <param name="GapsBelow">Only batches starting below it may follow a gap (see <see cref="Log.LogSegment"/>'s recovery).</param>
    public readonly record struct Offsets(long CleanedUpTo, long GapsBelow);

    public const string FileName = "cleaner-offset-checkpoint";

    private const string Version = "0";

    public static Offsets Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        AtomicFile.DeleteTornWrite(path);
        if (!File.Exists(path)) return default;
        var lines = File.ReadAllLines(path);
        return lines.Length == 3 && lines[0] == Version && TryParse(lines[1], out var cleanedUpTo) && TryParse(lines[2], out var gapsBelow)
            ? new Offsets(cleanedUpTo, gapsBelow)
            : default;
    }

    public static void Write(string directory, Offsets offsets, DiskIo io) => AtomicFile.Write(Path.Combine(directory, FileName),
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Version}\n{offsets.CleanedUpTo}\n{offsets.GapsBelow}\n")), io);

    private static bool TryParse(string line, out long offset) => long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out offset);
}
