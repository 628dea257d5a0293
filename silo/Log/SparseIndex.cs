using System.Runtime.InteropServices;
using Hub.Silo.Storage;

namespace Hub.Silo.Log;

/// <summary>
/// A segment's sparse index, in memory and in its file: entries ordered by <see cref="ISparseIndexEntry{TSelf}.Key"/>,
/// about one per <see cref="LogSegment.IndexIntervalBytes"/> of log, so a lookup is a binary search that lands
/// at or before the wanted batch and a short scan of batch headers finishes the job. On disk: the entries back
/// to back, each <see cref="ISparseIndexEntry{TSelf}.Size"/> bytes. <see cref="OffsetIndex"/> and
/// <see cref="TimeIndex"/> are its two uses.
/// </summary>
internal abstract class SparseIndex<TEntry> where TEntry : struct, ISparseIndexEntry<TEntry>
{
    private readonly List<TEntry> _entries = [];

    public int Count => _entries.Count;

    public TEntry Last => _entries[^1];

    public void Add(TEntry entry) => _entries.Add(entry);

    /// <summary>The last entry whose key is at or below <paramref name="key"/>; null when none is.</summary>
    public TEntry? LastAtOrBelow(long key)
    {
        var entries = CollectionsMarshal.AsSpan(_entries);
        int low = 0, high = entries.Length - 1;
        TEntry? found = null;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (entries[middle].Key <= key)
            {
                found = entries[middle];
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return found;
    }

    /// <summary>
    /// Replaces the file with the entries and fsyncs it. Not atomic, and need not be: a crash mid-write leaves a
    /// prefix of the entries, which the segment rejects on open (the last time-index entry must describe its last
    /// batch) and rebuilds by a scan.
    /// </summary>
    public void WriteTo(string path, DiskIo io)
    {
        var bytes = new byte[_entries.Count * TEntry.Size];
        var span = bytes.AsSpan();
        foreach (var entry in _entries)
        {
            entry.Write(span);
            span = span[TEntry.Size..];
        }
        using var file = io.Open(path, FileMode.Create);
        io.Write(file, bytes, 0);
        io.Fsync(file);
    }

    /// <summary>
    /// Reads an index file into a new <typeparamref name="TIndex"/>; null when the file is missing or not well
    /// formed (not a whole number of entries, or an entry that does not follow the one before it).
    /// </summary>
    protected static TIndex? TryLoad<TIndex>(string path) where TIndex : SparseIndex<TEntry>, new()
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length % TEntry.Size != 0) return null;
        var index = new TIndex();
        var previous = TEntry.BeforeFirst;
        for (var span = bytes.AsSpan(); !span.IsEmpty; span = span[TEntry.Size..])
        {
            var entry = TEntry.Read(span);
            if (!entry.Follows(previous)) return null;
            index._entries.Add(entry);
            previous = entry;
        }
        return index;
    }
}
