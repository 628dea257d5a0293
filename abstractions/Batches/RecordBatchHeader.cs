using System.Buffers.Binary;
using System.IO.Hashing;

namespace Hub.Batches;

/// <summary>The fixed 61-byte header of a v2 record batch, decoded.</summary>
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    byte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordCount)
{
    /// <summary>Bytes the whole batch occupies, header included.</summary>
    public int TotalSize => BatchLength + RecordBatchLayout.LogOverhead;

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public CompressionType Compression => (CompressionType)(Attributes & RecordBatchLayout.CompressionMask);

    public bool IsControl => (Attributes & RecordBatchLayout.ControlFlag) != 0;

    /// <summary>Written by a transactional producer (or a marker ending its transaction).</summary>
    public bool IsTransactional => (Attributes & RecordBatchLayout.TransactionalFlag) != 0;

    /// <summary>Decodes the header at the start of <paramref name="bytes"/>; false when fewer than 61 bytes are there.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out RecordBatchHeader header)
    {
        if (bytes.Length < RecordBatchLayout.HeaderSize)
        {
            header = default;
            return false;
        }
        header = new RecordBatchHeader(
            BinaryPrimitives.ReadInt64BigEndian(bytes[RecordBatchLayout.BaseOffset..]),
            BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BatchLength..]),
            BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.PartitionLeaderEpoch..]),
            bytes[RecordBatchLayout.Magic],
            BinaryPrimitives.ReadUInt32BigEndian(bytes[RecordBatchLayout.Crc..]),
            BinaryPrimitives.ReadInt16BigEndian(bytes[RecordBatchLayout.Attributes..]),
            BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.LastOffsetDelta..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[RecordBatchLayout.BaseTimestamp..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[RecordBatchLayout.MaxTimestamp..]),
            BinaryPrimitives.ReadInt64BigEndian(bytes[RecordBatchLayout.ProducerId..]),
            BinaryPrimitives.ReadInt16BigEndian(bytes[RecordBatchLayout.ProducerEpoch..]),
            BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BaseSequence..]),
            BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.RecordCount..]));
        return true;
    }

    /// <summary>
    /// Writes every field of this header but the CRC at the start of <paramref name="batch"/>; the caller sets the
    /// CRC (<see cref="ComputeCrc"/>) once the records after it are in place, or compresses them, which sets it.
    /// </summary>
    public void WriteFields(Span<byte> batch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLength..], BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpoch..], PartitionLeaderEpoch);
        batch[RecordBatchLayout.Magic] = Magic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.Attributes..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDelta..], LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestamp..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestamp..], MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerId..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpoch..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequence..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordCount..], RecordCount);
    }

    /// <summary>CRC-32C of a whole batch's covered bytes (attributes to the end), as stored in its crc field.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) =>
        Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, batch[RecordBatchLayout.Attributes..]);

    /// <summary>Sets the base offset of the batch at the start of <paramref name="batch"/>; the CRC does not cover it.</summary>
    public static void WriteBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffset..], baseOffset);

    /// <summary>Sets the partition leader epoch; the CRC does not cover it.</summary>
    public static void WriteLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpoch..], epoch);
}
