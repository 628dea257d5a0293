using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Hub.Batches;
using Hub.Batches.Compression;

namespace Hub.Tests.Log;

/// <summary>Encodes uncompressed v2 record batches the way a producer would, and takes stored ones apart again.</summary>
internal static class TestBatches
{
    /// <summary>One batch of records with the given timestamps and values (null keys, no headers).</summary>
    public static byte[] Build(params (long Timestamp, string Value)[] records) =>
        Build(records.Select(r => (r.Timestamp, (string?)null, r.Value)).ToArray());

    /// <summary>One batch whose records all carry <paramref name="timestamp"/>, with the given keys (null: none) and values.</summary>
    public static byte[] Keyed(long timestamp, params (string? Key, string Value)[] records) =>
        Build(records.Select(r => (timestamp, r.Key, r.Value)).ToArray());

    private static byte[] Build((long Timestamp, string? Key, string Value)[] records)
    {
        var body = new ArrayBufferWriter<byte>();
        var baseTimestamp = records[0].Timestamp;
        for (var i = 0; i < records.Length; i++)
            WriteRecord(body, records[i].Timestamp - baseTimestamp, i, records[i].Key is { } key ? Encoding.UTF8.GetBytes(key) : null,
                Encoding.UTF8.GetBytes(records[i].Value));

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

    /// <summary>
    /// The batch with its records section compressed by <paramref name="codec"/> as a producer does it (lz4 in the
    /// frame format; snappy raw, or in xerial's framing of <paramref name="xerialBlockBytes"/>-byte blocks as the
    /// Java client writes it), length, attributes and CRC to match.
    /// </summary>
    public static byte[] Compress(byte[] batch, CompressionType codec, int xerialBlockBytes = 0) =>
        WithRecordsSection(batch, codec, CompressRecords(batch.AsSpan(RecordBatchLayout.HeaderSize), codec, xerialBlockBytes));

    /// <summary>The batch's header (its length, codec and CRC fitted) in front of <paramref name="records"/>.</summary>
    public static byte[] WithRecordsSection(byte[] batch, CompressionType codec, ReadOnlySpan<byte> records)
    {
        var result = new byte[RecordBatchLayout.HeaderSize + records.Length];
        batch.AsSpan(0, RecordBatchLayout.HeaderSize).CopyTo(result);
        records.CopyTo(result.AsSpan(RecordBatchLayout.HeaderSize));
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(RecordBatchLayout.BatchLength), result.Length - RecordBatchLayout.LogOverhead);
        var attributes = BinaryPrimitives.ReadInt16BigEndian(result.AsSpan(RecordBatchLayout.Attributes));
        BinaryPrimitives.WriteInt16BigEndian(result.AsSpan(RecordBatchLayout.Attributes),
            (short)((attributes & ~RecordBatchLayout.CompressionMask) | (int)codec));
        FixCrc(result);
        return result;
    }

    private static byte[] CompressRecords(ReadOnlySpan<byte> records, CompressionType codec, int xerialBlockBytes)
    {
        switch (codec)
        {
            case CompressionType.Gzip:
                using (var output = new MemoryStream())
                {
                    using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest)) gzip.Write(records);
                    return output.ToArray();
                }
            case CompressionType.Snappy when xerialBlockBytes > 0:
                var framed = new ArrayBufferWriter<byte>();
                framed.Write<byte>([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1]);
                for (var rest = records; !rest.IsEmpty; rest = rest[Math.Min(xerialBlockBytes, rest.Length)..])
                {
                    var block = Snappier.Snappy.CompressToArray(rest[..Math.Min(xerialBlockBytes, rest.Length)]);
                    BinaryPrimitives.WriteInt32BigEndian(framed.GetSpan(4), block.Length);
                    framed.Advance(4);
                    framed.Write(block);
                }
                return framed.WrittenSpan.ToArray();
            case CompressionType.Snappy:
                return Snappier.Snappy.CompressToArray(records);
            case CompressionType.Lz4:
                var lz4 = new ArrayBufferWriter<byte>();
                K4os.Compression.LZ4.Streams.LZ4Frame.Encode(records, lz4);
                return lz4.WrittenSpan.ToArray();
            case CompressionType.Zstd:
                using (var zstd = new ZstdSharp.Compressor()) return zstd.Wrap(records).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(codec));
        }
    }

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

    /// <summary>Every record in concatenated batches (compressed ones decompressed), as (offset, timestamp, value).</summary>
    public static List<(long Offset, long Timestamp, string Value)> Records(ReadOnlyMemory<byte> batches)
    {
        var result = new List<(long, long, string)>();
        foreach (var (header, bytes) in Split(batches))
        {
            var reader = new RecordReader(header.Compression == CompressionType.None ? bytes : RecordBatchCompression.DecompressToArray(bytes, header));
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
