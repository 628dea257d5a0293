using System.Globalization;

namespace Hub.Silo.Log;

/// <summary>
/// Names of a segment's files: its base offset as 20 zero-padded digits (so a plain directory listing sorts
/// segments by offset, as in Kafka) plus ".log", ".index" or ".timeindex".
/// </summary>
internal static class SegmentFileName
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".index";
    public const string TimeIndexExtension = ".timeindex";

    private const int Digits = 20;

    public static string For(long baseOffset, string extension) =>
        baseOffset.ToString("D20", CultureInfo.InvariantCulture) + extension;

    /// <summary>The base offset of a ".log" file named by <see cref="For"/>; false for any other file.</summary>
    public static bool TryParseLog(string path, out long baseOffset)
    {
        baseOffset = 0;
        var name = Path.GetFileName(path.AsSpan());
        return name.EndsWith(LogExtension, StringComparison.Ordinal)
            && name.Length == Digits + LogExtension.Length
            && long.TryParse(name[..Digits], NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
