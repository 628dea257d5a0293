using System.Globalization;

namespace Hub.Silo.Log;

/// <summary>
/// Names of a segment's files: its base offset as 20 zero-padded digits (so a plain directory listing sorts
/// segments by offset, as in Kafka) plus ".log", ".index" or ".timeindex"; producer-state snapshots are named
/// the same way by the offset they were taken at, plus ".snapshot".
/// </summary>
internal static class SegmentFileName
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".index";
    public const string TimeIndexExtension = ".timeindex";
    public const string SnapshotExtension = ".snapshot";

    private const int Digits = 20;

    public static string For(long baseOffset, string extension) =>
        baseOffset.ToString("D20", CultureInfo.InvariantCulture) + extension;

    /// <summary>The base offset of a ".log" file named by <see cref="For"/>; false for any other file.</summary>
    public static bool TryParseLog(string path, out long baseOffset) => TryParse(path, LogExtension, out baseOffset);

    /// <summary>The offset of a file named by <see cref="For"/> with <paramref name="extension"/>; false for any other file.</summary>
    public static bool TryParse(string path, string extension, out long baseOffset)
    {
        baseOffset = 0;
        var name = Path.GetFileName(path.AsSpan());
        return name.EndsWith(extension, StringComparison.Ordinal)
            && name.Length == Digits + extension.Length
            && long.TryParse(name[..Digits], NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
