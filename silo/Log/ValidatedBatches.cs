using System.Buffers;
using System.Buffers.Binary;
using Hub.Batches;

namespace Hub.Silo.Log;

/// <summary>
/// What <see cref="RecordBatchValidator"/> learned about the batches of one append (each one's position and
/// header, and how many records they hold), so the producer-state check, the offset and epoch patching, the
/// indexes and the epoch cache use it instead of reading the batch headers again. After
/// <see cref="AssignOffsets"/> the headers describe the batches as they are stored.
/// <para>
/// A log keeps one and fills it for every append (appends are one at a time), so an append allocates nothing
/// here. Not thread-safe.
/// </para>
/// </summary>
internal sealed class ValidatedBatches
{
    /// <summary>
    /// Batches held in the list's own array: an append is usually one batch per producer request. An append of
    /// more batches borrows a larger array from the pool until the next <see cref="Clear"/>, so a partition does
    /// not keep a large one and a steady stream of such appends allocates nothing.
    /// </summary>
    private const int OwnCapacity = 16;

    private readonly ValidatedBatch[] _own = new ValidatedBatch[OwnCapacity];
    private ValidatedBatch[] _batches;

    public ValidatedBatches() => _batches = _own;

    public int Count { get; private set; }

    /// <summary>Records in all the batches.</summary>
    public long RecordCount { get; private set; }

    public ReadOnlySpan<ValidatedBatch> Batches => _batches.AsSpan(0, Count);

    /// <summary>Offset of the last record of the last batch, as the headers say.</summary>
    public long LastOffset => _batches[Count - 1].Header.LastOffset;

    public void Clear()
    {
        if (_batches != _own) ArrayPool<ValidatedBatch>.Shared.Return(_batches);
        _batches = _own;
        Count = 0;
        RecordCount = 0;
    }

    public void Add(int position, in RecordBatchHeader header)
    {
        if (Count == _batches.Length) Grow();
        _batches[Count++] = new ValidatedBatch(position, header);
        RecordCount += header.RecordCount;
    }

    /// <summary>Batch <paramref name="index"/> rewritten (recompressed): where it now starts, and its new header.</summary>
    public void Replace(int index, int position, in RecordBatchHeader header) => _batches[index] = new ValidatedBatch(position, header);

    private void Grow()
    {
        var larger = ArrayPool<ValidatedBatch>.Shared.Rent(Count * 2);
        Batches.CopyTo(larger);
        if (_batches != _own) ArrayPool<ValidatedBatch>.Shared.Return(_batches);
        _batches = larger;
    }

    /// <summary>
    /// Gives the batches consecutive offsets from <paramref name="baseOffset"/> and <paramref name="leaderEpoch"/>,
    /// both in <paramref name="bytes"/> (the append these batches were validated from; the CRC covers neither field)
    /// and in the headers held here.
    /// </summary>
    public void AssignOffsets(Span<byte> bytes, long baseOffset, int leaderEpoch)
    {
        var nextOffset = baseOffset;
        foreach (ref var batch in _batches.AsSpan(0, Count))
        {
            var stored = bytes[batch.Position..];
            RecordBatchHeader.WriteBaseOffset(stored, nextOffset);
            RecordBatchHeader.WriteLeaderEpoch(stored, leaderEpoch);
            batch = new ValidatedBatch(batch.Position, batch.Header with { BaseOffset = nextOffset, PartitionLeaderEpoch = leaderEpoch });
            nextOffset = batch.Header.LastOffset + 1;
        }
    }

    /// <summary>Whether a batch in <paramref name="bytes"/> carries another max timestamp than its records' largest (see <see cref="WriteMaxTimestamps"/>).</summary>
    public bool MaxTimestampsDiffer(ReadOnlySpan<byte> bytes)
    {
        foreach (ref readonly var batch in Batches)
        {
            if (BinaryPrimitives.ReadInt64BigEndian(bytes[(batch.Position + RecordBatchLayout.MaxTimestamp)..]) != batch.Header.MaxTimestamp) return true;
        }
        return false;
    }

    /// <summary>
    /// Writes into <paramref name="bytes"/> the max timestamp the validator found for each batch whose bytes say
    /// otherwise, with the CRC recomputed, as Kafka's leader sets a CreateTime batch's max timestamp.
    /// </summary>
    public void WriteMaxTimestamps(Span<byte> bytes)
    {
        foreach (ref var batch in _batches.AsSpan(0, Count))
        {
            var stored = bytes.Slice(batch.Position, batch.Header.TotalSize);
            if (BinaryPrimitives.ReadInt64BigEndian(stored[RecordBatchLayout.MaxTimestamp..]) == batch.Header.MaxTimestamp) continue;
            var crc = WriteMaxTimestamp(stored, batch.Header.MaxTimestamp);
            batch = new ValidatedBatch(batch.Position, batch.Header with { Crc = crc });
        }
    }

    /// <summary>
    /// Stamps every batch with the log append time <paramref name="nowMs"/>, as Kafka's leader does for a
    /// LogAppendTime topic: the timestamp-type attribute bit and the max timestamp (which then stands for every
    /// record's time), with the CRC recomputed, in <paramref name="bytes"/> and in the headers held here; the records
    /// stay as their producer wrote them.
    /// </summary>
    public void StampLogAppendTime(Span<byte> bytes, long nowMs)
    {
        foreach (ref var batch in _batches.AsSpan(0, Count))
        {
            var stored = bytes.Slice(batch.Position, batch.Header.TotalSize);
            var attributes = (short)(batch.Header.Attributes | RecordBatchLayout.TimestampTypeLogAppendTime);
            BinaryPrimitives.WriteInt16BigEndian(stored[RecordBatchLayout.Attributes..], attributes);
            var crc = WriteMaxTimestamp(stored, nowMs);
            batch = new ValidatedBatch(batch.Position, batch.Header with { Attributes = attributes, MaxTimestamp = nowMs, Crc = crc });
        }
    }

    /// <summary>Writes a stored batch's max timestamp and then its CRC, which covers it (and the attributes); returns the CRC.</summary>
    private static uint WriteMaxTimestamp(Span<byte> stored, long maxTimestamp)
    {
        BinaryPrimitives.WriteInt64BigEndian(stored[RecordBatchLayout.MaxTimestamp..], maxTimestamp);
        var crc = RecordBatchHeader.ComputeCrc(stored);
        BinaryPrimitives.WriteUInt32BigEndian(stored[RecordBatchLayout.Crc..], crc);
        return crc;
    }
}
