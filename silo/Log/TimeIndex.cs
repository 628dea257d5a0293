using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Hub.Silo.Log;

/// <summary>
/// A segment's sparse time index: entries of (largest timestamp of the segment up to and including a batch,
/// that batch's offset relative to the segment's base). An entry is added at offset-index points when that
/// running maximum has grown, and once more for the last batch when the segment is persisted, so the last
/// entry always holds the segment's largest timestamp. Timestamps never decrease and offsets strictly
/// increase. On disk: the entries back to back, each int64 + int32 big-endian.
/// </summary>
internal sealed class TimeIndex
{
    public const int EntrySize = 12;

    private readonly List<Entry> _entries = [];

    public readonly record struct Entry(long Timestamp, int RelativeOffset);

    public int Count => _entries.Count;

    public Entry Last => _entries[^1];

    public void Add(long timestamp, int relativeOffset) => _entries.Add(new Entry(timestamp, relativeOffset));

    public void Clear() => _entries.Clear();

    /// <summary>
    /// Relative offset of the last entry whose timestamp is below <paramref name="timestamp"/> (0 when none is):
    /// every record up to that batch is older, so a search for the first record at or after the timestamp can
    /// start there.
    /// </summary>
    public int RelativeOffsetBefore(long timestamp)
    {
        var entries = CollectionsMarshal.AsSpan(_entries);
        int low = 0, high = entries.Length - 1, relativeOffset = 0;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (entries[middle].Timestamp < timestamp)
            {
                relativeOffset = entries[middle].RelativeOffset;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return relativeOffset;
    }

    public void WriteTo(string path)
    {
        var bytes = new byte[_entries.Count * EntrySize];
        var span = bytes.AsSpan();
        foreach (var entry in _entries)
        {
            BinaryPrimitives.WriteInt64BigEndian(span, entry.Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(span[8..], entry.RelativeOffset);
            span = span[EntrySize..];
        }
        IndexFile.Write(path, bytes);
    }

    /// <summary>
    /// Reads an index file; null when it is missing or not well formed (size not a whole number of entries,
    /// timestamps decreasing, offsets negative or not strictly increasing).
    /// </summary>
    public static TimeIndex? TryLoad(string path)
    {
        var bytes = IndexFile.TryRead(path, EntrySize);
        if (bytes is null) return null;
        var index = new TimeIndex();
        var previous = new Entry(long.MinValue, -1);
        for (var span = bytes.AsSpan(); !span.IsEmpty; span = span[EntrySize..])
        {
            var entry = new Entry(BinaryPrimitives.ReadInt64BigEndian(span), BinaryPrimitives.ReadInt32BigEndian(span[8..]));
            if (entry.Timestamp < previous.Timestamp || entry.RelativeOffset <= previous.RelativeOffset) return null;
            index._entries.Add(entry);
            previous = entry;
        }
        return index;
    }
}
