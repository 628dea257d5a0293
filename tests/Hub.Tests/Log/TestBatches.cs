using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Hub.Batches;

namespace Hub.Tests.Log;

/// <summary>Encodes uncompressed v2 record batches the way a producer would, and takes stored ones apart again.</summary>
internal static class TestBatches
{
    /// <summary>One batch of records with the given timestamps and values (null keys, no headers).</summary>
    public static byte[] Build(params (long Timestamp, string Value)[] records)
    {
        var body = new ArrayBufferWriter<byte>();
        var baseTimestamp = records[0].Timestamp;
        for (var i = 0; i < records.Length; i++)
            WriteRecord(body, records[i].Timestamp - baseTimestamp, i, key: null, Encoding.UTF8.GetBytes(records[i].Value));

        var batch = new byte[RecordBatchLayout.HeaderSize + body.WrittenCount];
        var span = batch.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BatchLength..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.PartitionLeaderEpoch..], -1);
        span[RecordBatchLayout.Magic] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.LastOffsetDelta..], records.Length - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.BaseTimestamp..], baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.MaxTimestamp..], records.Max(r => r.Timestamp));
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.ProducerId..], -1);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.ProducerEpoch..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BaseSequence..], -1);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.RecordCount..], records.Length);
        body.WrittenSpan.CopyTo(span[RecordBatchLayout.HeaderSize..]);
        FixCrc(batch);
        return batch;
    }

    /// <summary>One batch whose records all carry <paramref name="timestamp"/>.</summary>
    public static byte[] Build(long timestamp, params string[] values) => Build(values.Select(v => (timestamp, v)).ToArray());

    /// <summary>A batch of 1..<paramref name="maxRecords"/> records of random values up to <paramref name="maxValueBytes"/> long.</summary>
    public static byte[] Random(Random random, long timestamp, int maxRecords, int maxValueBytes) =>
        Build(timestamp, Enumerable.Range(0, random.Next(1, maxRecords + 1))
            .Select(_ => new string((char)random.Next('a', 'z' + 1), random.Next(0, maxValueBytes + 1))).ToArray());

    /// <summary>A batch whose one value is <paramref name="valueBytes"/> long, so the batch is that plus ~70 bytes.</summary>
    public static byte[] OfValueSize(long timestamp, int valueBytes) => Build(timestamp, new string('x', valueBytes));

    public static byte[] Concat(params byte[][] batches) => batches.SelectMany(b => b).ToArray();

    /// <summary>Recomputes the CRC after a test edited a batch's covered bytes.</summary>
    public static void FixCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.Crc..], RecordBatchHeader.ComputeCrc(batch));

    /// <summary>The batches in concatenated bytes, as (header, whole batch bytes).</summary>
    public static List<(RecordBatchHeader Header, byte[] Bytes)> Split(ReadOnlyMemory<byte> batches)
    {
        var result = new List<(RecordBatchHeader, byte[])>();
        for (var position = 0; position < batches.Length;)
        {
            Assert.True(RecordBatchHeader.TryRead(batches.Span[position..], out var header));
            result.Add((header, batches.Slice(position, header.TotalSize).ToArray()));
            position += header.TotalSize;
        }
        return result;
    }

    /// <summary>Every record in concatenated uncompressed batches, as (offset, timestamp, value).</summary>
    public static List<(long Offset, long Timestamp, string Value)> Records(ReadOnlyMemory<byte> batches)
    {
        var result = new List<(long, long, string)>();
        foreach (var (_, bytes) in Split(batches))
        {
            var reader = new RecordReader(bytes);
            while (reader.MoveNext())
                result.Add((reader.Current.Offset, reader.Current.Timestamp, Encoding.UTF8.GetString(reader.Current.Value!.Value.Span)));
        }
        return result;
    }

    private static void WriteRecord(ArrayBufferWriter<byte> destination, long timestampDelta, int offsetDelta, byte[]? key, byte[]? value)
    {
        var body = new ArrayBufferWriter<byte>();
        body.Write([(byte)0]); // attributes
        WriteVarlong(body, timestampDelta);
        WriteVarint(body, offsetDelta);
        WriteNullableBytes(body, key);
        WriteNullableBytes(body, value);
        WriteVarint(body, 0); // header count
        WriteVarint(destination, body.WrittenCount);
        destination.Write(body.WrittenSpan);
    }

    private static void WriteNullableBytes(ArrayBufferWriter<byte> destination, byte[]? bytes)
    {
        WriteVarint(destination, bytes?.Length ?? -1);
        if (bytes is not null) destination.Write(bytes);
    }

    private static void WriteVarint(ArrayBufferWriter<byte> destination, int value) =>
        destination.Advance(Varint.WriteInt32(destination.GetSpan(Varint.MaxInt32Bytes), value));

    private static void WriteVarlong(ArrayBufferWriter<byte> destination, long value) =>
        destination.Advance(Varint.WriteInt64(destination.GetSpan(Varint.MaxInt64Bytes), value));
}
