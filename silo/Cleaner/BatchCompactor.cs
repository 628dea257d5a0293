using System.Buffers;
using System.Buffers.Binary;
using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Partitions;

namespace Hub.Silo.Cleaner;

/// <summary>
/// Rewrites one stored batch as <see cref="CompactionRules"/> say, as Kafka's MemoryRecords.filterTo does for v2:
/// the batch keeps its base offset, last offset delta, producer id, epoch, base sequence, leader epoch and codec, so
/// its offsets and its producer's sequence bookkeeping survive; only the records, the record count, the max timestamp
/// (unless log-append time), and, when the cleaner first passes a tombstone in it, the delete horizon (base timestamp
/// and attribute bit 6, the records' timestamp deltas recomputed against it) change. An unchanged batch is copied as
/// it was. The result is a valid v2 batch: length and CRC recomputed, compressed again with its codec.
/// </summary>
internal static class BatchCompactor
{
    /// <summary>Room for a record's framing beyond its key, value and headers: length, attributes, deltas, lengths, header count.</summary>
    private const int MaxRecordFramingBytes = 5 + 1 + 10 + 5 + 5 + 5 + 5;

    /// <summary>
    /// Appends what stays of <paramref name="batch"/> to <paramref name="output"/>: the batch, a rewritten batch, an
    /// empty batch, or nothing. <paramref name="kept"/> is scratch space, reused across calls.
    /// </summary>
    /// <param name="lastOfRewrite">The batch ends the run of segments being rewritten (see <see cref="CompactionRules.KeepsEmpty"/>).</param>
    public static void Compact(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, CompactionContext context, bool lastOfRewrite,
        List<Record> kept, PooledBufferWriter output)
    {
        if (header.IsControl)
        {
            CompactMarker(batch, header, context, lastOfRewrite, kept, output);
            return;
        }
        context.Markers.BatchRead(header);
        if (AbortedTransaction.AnyHolds(context.Aborted, header))
        {
            if (CompactionRules.KeepsEmpty(header, lastOfRewrite, context.ProducerLastOffsets)) WriteEmpty(header, CompactionRules.DeleteHorizonOf(header), output);
            return;
        }
        using var plain = header.Compression == CompressionType.None ? null : RecordBatchCompression.Decompress(batch, header);
        var horizon = CompactionRules.DeleteHorizonOf(header);
        var tombstonesExpired = horizon is { } h && context.NowMs >= h;
        kept.Clear();
        var total = 0;
        var keptTombstone = false;
        var records = new RecordReader(plain?.WrittenMemory ?? batch);
        while (records.MoveNext())
        {
            total++;
            if (!CompactionRules.KeepsRecord(records.Current, context.Map, context.MapEnd, tombstonesExpired)) continue;
            kept.Add(records.Current);
            keptTombstone |= records.Current.Value is null;
        }
        var newHorizon = horizon ?? (keptTombstone ? context.NewDeleteHorizon : null);
        if (kept.Count == total && newHorizon == horizon)
            output.Write(batch.Span);
        else if (kept.Count > 0)
            WriteRetained(header, kept, newHorizon, output);
        else if (CompactionRules.KeepsEmpty(header, lastOfRewrite, context.ProducerLastOffsets))
            WriteEmpty(header, horizon, output);
    }

    /// <summary>A transaction marker: kept as it is, given its delete horizon, or left out (see <see cref="CompactionRules.MarkerFateOf"/>).</summary>
    private static void CompactMarker(ReadOnlyMemory<byte> batch, in RecordBatchHeader header, CompactionContext context, bool lastOfRewrite,
        List<Record> kept, PooledBufferWriter output)
    {
        switch (CompactionRules.MarkerFateOf(header, context.Markers.LeftNoBatches(header), lastOfRewrite, context.MapEnd, context.NowMs))
        {
            case CompactionRules.MarkerFate.Removed:
                context.Markers.MarkerRemoved(header);
                return;
            case CompactionRules.MarkerFate.GetsHorizon:
                using (var plain = header.Compression == CompressionType.None ? null : RecordBatchCompression.Decompress(batch, header))
                {
                    kept.Clear();
                    var records = new RecordReader(plain?.WrittenMemory ?? batch);
                    while (records.MoveNext()) kept.Add(records.Current);
                    WriteRetained(header, kept, context.NewDeleteHorizon, output);
                }
                return;
            default:
                output.Write(batch.Span);
                return;
        }
    }

    /// <summary>The batch with only <paramref name="kept"/>, compressed with the batch's codec.</summary>
    private static void WriteRetained(in RecordBatchHeader header, List<Record> kept, long? horizon, PooledBufferWriter output)
    {
        var baseTimestamp = horizon ?? header.BaseTimestamp;
        var size = RecordBatchLayout.HeaderSize;
        foreach (var record in kept)
            size += MaxRecordFramingBytes + (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0) + record.HeaderBytes.Length;
        using var plain = new PooledBufferWriter(size, int.MaxValue);
        var span = plain.GetSpan(size);
        var p = RecordBatchLayout.HeaderSize;
        var maxTimestamp = long.MinValue;
        foreach (var record in kept)
        {
            p += WriteRecord(span[p..], record, record.Timestamp - baseTimestamp, (int)(record.Offset - header.BaseOffset));
            maxTimestamp = Math.Max(maxTimestamp, record.Timestamp);
        }
        var logAppendTime = (header.Attributes & RecordBatchLayout.TimestampTypeLogAppendTime) != 0;
        WriteHeader(span[..p], header, kept.Count, baseTimestamp, logAppendTime ? header.MaxTimestamp : maxTimestamp, horizon is not null);
        plain.Advance(p);
        if (header.Compression == CompressionType.None) output.Write(plain.WrittenMemory.Span);
        else RecordBatchCompression.Compress(plain.WrittenMemory.Span, header.Compression, output);
    }

    /// <summary>The batch's header alone, with no records, as Kafka writes an empty batch kept for its producer's sake.</summary>
    private static void WriteEmpty(in RecordBatchHeader header, long? horizon, PooledBufferWriter output)
    {
        var span = output.GetSpan(RecordBatchLayout.HeaderSize)[..RecordBatchLayout.HeaderSize];
        WriteHeader(span, header, 0, horizon ?? header.MaxTimestamp, header.MaxTimestamp, horizon is not null);
        output.Advance(RecordBatchLayout.HeaderSize);
    }

    /// <summary>Fills the header of an uncompressed batch (codec bits cleared) whose records follow it in <paramref name="batch"/>, CRC last.</summary>
    private static void WriteHeader(Span<byte> batch, in RecordBatchHeader header, int recordCount, long baseTimestamp, long maxTimestamp, bool hasHorizon)
    {
        var attributes = (short)((header.Attributes & ~RecordBatchLayout.CompressionMask & ~CompactionRules.DeleteHorizonFlag)
            | (hasHorizon ? CompactionRules.DeleteHorizonFlag : 0));
        (header with
        {
            BatchLength = batch.Length - RecordBatchLayout.LogOverhead,
            Attributes = attributes,
            BaseTimestamp = baseTimestamp,
            MaxTimestamp = maxTimestamp,
            RecordCount = recordCount,
        }).WriteFields(batch);
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(batch));
    }

    /// <summary>Encodes a record (layout in <see cref="RecordReader"/>) with its key, value and headers as they were; returns its size.</summary>
    private static int WriteRecord(Span<byte> destination, in Record record, long timestampDelta, int offsetDelta)
    {
        var bodySize = 1 + Varint.SizeOfInt64(timestampDelta) + Varint.SizeOfInt32(offsetDelta)
            + SizeOfBytes(record.Key) + SizeOfBytes(record.Value) + Varint.SizeOfInt32(record.HeaderCount) + record.HeaderBytes.Length;
        var p = Varint.WriteInt32(destination, bodySize);
        destination[p++] = 0; // record attributes: unused in v2
        p += Varint.WriteInt64(destination[p..], timestampDelta);
        p += Varint.WriteInt32(destination[p..], offsetDelta);
        p += WriteBytes(destination[p..], record.Key);
        p += WriteBytes(destination[p..], record.Value);
        p += Varint.WriteInt32(destination[p..], record.HeaderCount);
        record.HeaderBytes.Span.CopyTo(destination[p..]);
        return p + record.HeaderBytes.Length;
    }

    private static int SizeOfBytes(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Varint.SizeOfInt32(b.Length) + b.Length : Varint.SizeOfInt32(-1);

    private static int WriteBytes(Span<byte> destination, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b) return Varint.WriteInt32(destination, -1);
        var p = Varint.WriteInt32(destination, b.Length);
        b.Span.CopyTo(destination[p..]);
        return p + b.Length;
    }
}
