namespace Hub.Silo.Log;

/// <summary>Whole-file reads and durable writes of a segment's index files.</summary>
internal static class IndexFile
{
    /// <summary>
    /// Replaces the file with <paramref name="bytes"/> and fsyncs it. A crash mid-write leaves a prefix of the
    /// entries, which the loader rejects (the last time-index entry must describe the segment's last batch).
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write);
        RandomAccess.Write(file, bytes, 0);
        RandomAccess.FlushToDisk(file);
    }

    /// <summary>The file's bytes; null when it is missing or not a whole number of entries.</summary>
    public static byte[]? TryRead(string path, int entrySize)
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        return bytes.Length % entrySize == 0 ? bytes : null;
    }
}
