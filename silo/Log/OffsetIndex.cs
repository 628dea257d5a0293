using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Hub.Silo.Log;

/// <summary>
/// A segment's sparse offset index: entries of (offset relative to the segment's base, file position) for the
/// start of a batch, about one per <see cref="LogSegment.IndexIntervalBytes"/> of log. Both columns strictly
/// increase, so a lookup is a binary search that lands at or before the wanted batch, and a short scan of
/// batch headers finishes the job. On disk: the entries back to back, each int32 + int32 big-endian.
/// </summary>
internal sealed class OffsetIndex
{
    public const int EntrySize = 8;

    private readonly List<Entry> _entries = [];

    public readonly record struct Entry(int RelativeOffset, int Position);

    public int Count => _entries.Count;

    public void Add(int relativeOffset, int position) => _entries.Add(new Entry(relativeOffset, position));

    public void Clear() => _entries.Clear();

    /// <summary>Position of the last indexed batch starting at or before <paramref name="relativeOffset"/>; 0 when none is.</summary>
    public int PositionAtOrBefore(int relativeOffset)
    {
        var entries = CollectionsMarshal.AsSpan(_entries);
        int low = 0, high = entries.Length - 1, position = 0;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            if (entries[middle].RelativeOffset <= relativeOffset)
            {
                position = entries[middle].Position;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }
        return position;
    }

    public void WriteTo(string path)
    {
        var bytes = new byte[_entries.Count * EntrySize];
        var span = bytes.AsSpan();
        foreach (var entry in _entries)
        {
            BinaryPrimitives.WriteInt32BigEndian(span, entry.RelativeOffset);
            BinaryPrimitives.WriteInt32BigEndian(span[4..], entry.Position);
            span = span[EntrySize..];
        }
        IndexFile.Write(path, bytes);
    }

    /// <summary>
    /// Reads an index file; null when it is missing or not well formed (size not a whole number of entries,
    /// columns not strictly increasing, a position outside a log of <paramref name="logSize"/> bytes).
    /// </summary>
    public static OffsetIndex? TryLoad(string path, long logSize)
    {
        var bytes = IndexFile.TryRead(path, EntrySize);
        if (bytes is null) return null;
        var index = new OffsetIndex();
        var previous = new Entry(-1, -1);
        for (var span = bytes.AsSpan(); !span.IsEmpty; span = span[EntrySize..])
        {
            var entry = new Entry(BinaryPrimitives.ReadInt32BigEndian(span), BinaryPrimitives.ReadInt32BigEndian(span[4..]));
            if (entry.RelativeOffset <= previous.RelativeOffset || entry.Position <= previous.Position || entry.Position >= logSize)
                return null;
            index._entries.Add(entry);
            previous = entry;
        }
        return index;
    }
}
