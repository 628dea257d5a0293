using System.Buffers.Binary;

namespace Hub.Silo.Log;

/// <summary>
/// A segment's sparse time index (a <see cref="SparseIndex{TEntry}"/>): entries of (largest timestamp of the
/// segment up to and including a batch, that batch's offset relative to the segment's base). An entry is added at
/// offset-index points when that running maximum has grown, and once more for the last batch when the segment is
/// persisted, so the last entry always holds the segment's largest timestamp. Timestamps never decrease and
/// offsets strictly increase. On disk: int64 + int32 big-endian per entry.
/// </summary>
internal sealed class TimeIndex : SparseIndex<TimeIndex.Entry>
{
    public readonly record struct Entry(long Timestamp, int RelativeOffset) : ISparseIndexEntry<Entry>
    {
        public static int Size => 12;

        public static Entry BeforeFirst => new(long.MinValue, -1);

        public long Key => Timestamp;

        public bool Follows(in Entry previous) => Timestamp >= previous.Timestamp && RelativeOffset > previous.RelativeOffset;

        public static Entry Read(ReadOnlySpan<byte> source) =>
            new(BinaryPrimitives.ReadInt64BigEndian(source), BinaryPrimitives.ReadInt32BigEndian(source[8..]));

        public void Write(Span<byte> destination)
        {
            BinaryPrimitives.WriteInt64BigEndian(destination, Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(destination[8..], RelativeOffset);
        }
    }

    /// <summary>
    /// Relative offset of the last entry whose timestamp is below <paramref name="timestamp"/> (0 when none is):
    /// every record up to that batch is older, so a search for the first record at or after the timestamp can
    /// start there.
    /// </summary>
    public int RelativeOffsetBefore(long timestamp) =>
        timestamp == long.MinValue ? 0 : LastAtOrBelow(timestamp - 1)?.RelativeOffset ?? 0;

    /// <summary>Reads an index file; null when it is missing or not well formed (see <see cref="SparseIndex{TEntry}"/>).</summary>
    public static TimeIndex? TryLoad(string path) => TryLoad<TimeIndex>(path);
}
