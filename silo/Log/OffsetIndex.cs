using System.Buffers.Binary;

namespace Hub.Silo.Log;

/// <summary>
/// A segment's sparse offset index (a <see cref="SparseIndex{TEntry}"/>): entries of (offset relative to the
/// segment's base, file position) for the start of a batch. Both columns strictly increase. On disk: int32 + int32
/// big-endian per entry.
/// </summary>
internal sealed class OffsetIndex : SparseIndex<OffsetIndex.Entry>
{
    public readonly record struct Entry(int RelativeOffset, int Position) : ISparseIndexEntry<Entry>
    {
        public static int Size => 8;

        public static Entry BeforeFirst => new(-1, -1);

        public long Key => RelativeOffset;

        public bool Follows(in Entry previous) => RelativeOffset > previous.RelativeOffset && Position > previous.Position;

        public static Entry Read(ReadOnlySpan<byte> source) =>
            new(BinaryPrimitives.ReadInt32BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[4..]));

        public void Write(Span<byte> destination)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination, RelativeOffset);
            BinaryPrimitives.WriteInt32BigEndian(destination[4..], Position);
        }
    }

    /// <summary>Position of the last indexed batch starting at or before <paramref name="relativeOffset"/>; 0 when none is.</summary>
    public int PositionAtOrBefore(int relativeOffset) => LastAtOrBelow(relativeOffset)?.Position ?? 0;

    /// <summary>
    /// Reads an index file; null when it is missing or not well formed (see <see cref="SparseIndex{TEntry}"/>) or
    /// points past a log of <paramref name="logSize"/> bytes (positions increase, so the last entry tells).
    /// </summary>
    public static OffsetIndex? TryLoad(string path, long logSize) =>
        TryLoad<OffsetIndex>(path) is { } index && (index.Count == 0 || index.Last.Position < logSize) ? index : null;
}
