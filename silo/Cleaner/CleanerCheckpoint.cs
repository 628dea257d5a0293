using System.Globalization;
using System.Text;
using Hub.Silo.Storage;

namespace Hub.Silo.Cleaner;

/// <summary>
/// Where a compacted log is clean up to, in "cleaner-offset-checkpoint" beside its segments (Kafka keeps one such
/// file per log directory; one per log keeps each log's files its own). Text: a version line "0", then the offset.
/// Written atomically after each swap; missing or unreadable, the log counts as never cleaned, which only costs a
/// cleaning that finds little to drop.
/// </summary>
internal static class CleanerCheckpoint
{
    public const string FileName = "cleaner-offset-checkpoint";

    private const string Version = "0";

    public static long? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        AtomicFile.DeleteTornWrite(path);
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        return lines.Length == 2 && lines[0] == Version && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : null;
    }

    public static void Write(string directory, long offset, DiskIo io) =>
        AtomicFile.Write(Path.Combine(directory, FileName), Encoding.ASCII.GetBytes($"{Version}\n{offset.ToString(CultureInfo.InvariantCulture)}\n"), io);
}
