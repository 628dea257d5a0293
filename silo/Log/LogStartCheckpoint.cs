using System.Globalization;
using System.Text;
using Hub.Silo.Storage;

namespace Hub.Silo.Log;

/// <summary>
/// A log's start offset when DeleteRecords moved it inside the first segment, in "log-start-offset-checkpoint" beside
/// its segments (Kafka keeps one such file per log directory; one per log keeps each log's files its own). Text: a
/// version line "0", then the offset. Written atomically (fsynced) before any segment below it is deleted, so a
/// restart never exposes records a DeleteRecords answer said were gone. Missing or unreadable: 0, and the log starts
/// at its first segment.
/// </summary>
internal static class LogStartCheckpoint
{
    public const string FileName = "log-start-offset-checkpoint";

    private const string Version = "0";

    public static long Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        AtomicFile.DeleteTornWrite(path);
        if (!File.Exists(path)) return 0;
        var lines = File.ReadAllLines(path);
        return lines.Length == 2 && lines[0] == Version && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset : 0;
    }

    public static void Write(string directory, long offset, DiskIo io) => AtomicFile.Write(Path.Combine(directory, FileName),
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Version}\n{offset}\n")), io);
}
