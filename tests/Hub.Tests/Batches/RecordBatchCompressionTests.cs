using System.Text;
using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Tests.Log;

namespace Hub.Tests.Batches;

/// <summary>
/// The batch codecs every reader and the producer share: what the builder compresses decompresses to the very
/// records an uncompressed build holds; reference encoders' output (the lz4, zstd and gzip tools, snappy by its
/// format) decodes; a bomb and damaged payloads end in a clear error, never a hang or an unbounded allocation.
/// </summary>
public sealed class RecordBatchCompressionTests
{
    /// <summary>Bound on one decode of damaged input: anything near it would be a hang.</summary>
    private static readonly TimeSpan DecodeBound = TimeSpan.FromSeconds(20);

    public static TheoryData<CompressionType> Codecs => [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_compressed_build_decompresses_to_the_records_of_an_uncompressed_one(CompressionType codec)
    {
        using var plain = new RecordBatchBuilder(1 << 20);
        using var compressed = new RecordBatchBuilder(1 << 20, compression: codec);
        foreach (var builder in new[] { plain, compressed })
        {
            for (var i = 0; i < 300; i++)
            {
                byte[]? key = i % 7 == 0 ? null : Encoding.UTF8.GetBytes($"key-{i % 13}");
                byte[]? value = i % 11 == 0 ? null : Encoding.UTF8.GetBytes($"value {i} {new string('v', i % 40)}");
                builder.Append(1_700_000_000_000 + i % 17, key, value, i % 5 == 0 ? [new RecordHeader("trace", Encoding.UTF8.GetBytes($"t{i}"))] : null);
            }
        }
        var stamp = new ProducerStamp(42, 3, 7);
        var expected = plain.Build(stamp).ToArray();
        var batch = compressed.Build(stamp).ToArray();

        Assert.True(RecordBatchHeader.TryRead(batch, out var header));
        Assert.Equal(codec, header.Compression);
        Assert.Equal(batch.Length, header.TotalSize);
        Assert.Equal(RecordBatchHeader.ComputeCrc(batch), header.Crc);
        Assert.True(batch.Length < expected.Length / 2, $"{codec}: {batch.Length} bytes for {expected.Length} uncompressed");
        RecordBatchHeader.TryRead(expected, out var plainHeader);
        Assert.Equal(plainHeader with { BatchLength = header.BatchLength, Crc = header.Crc, Attributes = header.Attributes }, header);

        // What the consumers walk: the uncompressed batch, byte for byte.
        var decompressed = RecordBatchCompression.DecompressToArray(batch, header);
        Assert.Equal(expected, decompressed);
    }

    [Fact]
    public void Building_again_after_more_records_compresses_them_all()
    {
        using var builder = new RecordBatchBuilder(1 << 20, compression: CompressionType.Zstd);
        builder.Append(1, null, "a"u8.ToArray());
        builder.Build();
        builder.Append(2, null, "b"u8.ToArray());
        var batch = builder.Build().ToArray();

        Assert.Equal([(0L, 1L, "a"), (1L, 2L, "b")], TestBatches.Records(batch));
    }

    public static TheoryData<CompressionType, string> ReferenceEncodings => new()
    {
        // lz4 1.9 (`lz4 records.bin`): frame with 64 KiB independent blocks (block descriptor 0x40) and a content checksum.
        { CompressionType.Lz4, "04224d186440a758000000f51e12000000010668756200220000020116636f6d7072657373696f6e0018000004010c766563746f72001200000629001d082900180a2900150c29001d0e290018102900151229001d142900a016010c766563746f720000000000f9813bdb" },
        // zstd 1.5 (`zstd records.bin`).
        { CompressionType.Zstd, "28b52ffd24a4650200540312000000010668756200220000020116636f6d7072657373696f6e0018000004010c766563746f720012000006080a0c0e101214160900a010300f680c7002e6018d014ec0bc659a2a032ca86c94" },
        // gzip 1.12 (`gzip -n`).
        { CompressionType.Gzip, "1f8b0800000000000003136260606064cb284d625062606062144bcecf2d284a2d2ececccf639060606061e4294b4d2ec92f6210626060832be4c050c885ac9007ae900f43a100b24221b842110c8562708500c4c52cfda4000000" },
    };

    [Theory]
    [MemberData(nameof(ReferenceEncodings))]
    public void Reference_encoders_output_decodes(CompressionType codec, string hex) =>
        AssertDecodesToVector(codec, Convert.FromHexString(hex));

    [Fact]
    public void Snappy_decodes_raw_and_in_xerial_framing()
    {
        // By the snappy format: the uncompressed length (varint 164), then one literal of 164 bytes (tag 60 << 2,
        // then length - 1 in one byte). xerial's framing: magic, version 1, compatible version 1, int32 block length.
        var records = Records();
        byte[] raw = [0xA4, 0x01, 0xF0, (byte)(records.Length - 1), .. records];
        byte[] xerial = [0x82, .. "SNAPPY"u8, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, (byte)raw.Length, .. raw];
        AssertDecodesToVector(CompressionType.Snappy, raw);
        AssertDecodesToVector(CompressionType.Snappy, xerial);
    }

    public static TheoryData<CompressionType> StreamCodecs => [CompressionType.Gzip, CompressionType.Lz4, CompressionType.Zstd];

    [Theory]
    [MemberData(nameof(StreamCodecs))]
    public void A_decompression_bomb_stops_at_the_limit_with_a_clear_error(CompressionType codec)
    {
        // A MiB of zeros past the limit compresses to a few KiB; decoding stops at the limit instead of taking the memory.
        var batch = CompressedZeros(codec, RecordBatchCompression.MaxDecompressedBytes + (1 << 20));
        RecordBatchHeader.TryRead(batch, out var header);

        var error = AssertRefusedWithin(batch, header);
        Assert.Contains($"limit of {RecordBatchCompression.MaxDecompressedBytes} bytes", error.Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_batch_of_exactly_the_limit_decompresses_and_one_byte_more_is_refused(CompressionType codec)
    {
        // The limit is on what a codec writes, not on the room it asks for ahead: the whole limit is usable.
        var atLimit = CompressedZeros(codec, RecordBatchCompression.MaxDecompressedBytes);
        RecordBatchHeader.TryRead(atLimit, out var header);
        using (var plain = RecordBatchCompression.Decompress(atLimit, header))
            Assert.Equal(RecordBatchCompression.MaxDecompressedBytes, plain.Length);

        var over = CompressedZeros(codec, RecordBatchCompression.MaxDecompressedBytes + 1);
        RecordBatchHeader.TryRead(over, out header);
        Assert.Contains($"limit of {RecordBatchCompression.MaxDecompressedBytes} bytes", AssertRefusedWithin(over, header).Message);
    }

    [Fact]
    public void A_zstd_frame_asking_for_a_window_past_the_limit_is_refused()
    {
        // A zstd frame's Window_Descriptor (exponent in its top 5 bits) names the window, 2^(10 + exponent), that a
        // decoder reserves before decoding. The vectors' records as one raw last block, window 2^26 and then 2^27.
        var records = Records();
        byte[] Frame(byte windowDescriptor) => [0x28, 0xB5, 0x2F, 0xFD, 0x00, windowDescriptor,
            (byte)((records.Length << 3) | 1), (byte)(records.Length >> 5), (byte)(records.Length >> 13), .. records];
        AssertDecodesToVector(CompressionType.Zstd, Frame(16 << 3));

        var batch = VectorBatch(CompressionType.Zstd, Frame(17 << 3));
        RecordBatchHeader.TryRead(batch, out var header);
        Assert.Contains("do not decompress", AssertRefusedWithin(batch, header).Message);
    }

    [Fact]
    public void A_snappy_block_claiming_more_than_the_limit_is_refused_before_decoding()
    {
        // Raw snappy starts with the uncompressed length as a varint: this one claims 100 MiB.
        var batch = TestBatches.WithRecordsSection(TestBatches.Build(1, "a"), CompressionType.Snappy, [0x80, 0x80, 0x80, 0x32, 0x00]);
        RecordBatchHeader.TryRead(batch, out var header);
        Assert.Contains("limit", AssertRefusedWithin(batch, header).Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_damaged_payload_is_a_clear_error_never_a_hang(CompressionType codec)
    {
        var good = TestBatches.Compress(TestBatches.Build(5, Enumerable.Range(0, 40).Select(i => $"value {i} {new string('d', i)}").ToArray()), codec);
        var garbage = TestBatches.WithRecordsSection(good, codec, Enumerable.Repeat((byte)0xFF, good.Length - RecordBatchLayout.HeaderSize).ToArray());
        RecordBatchHeader.TryRead(garbage, out var header);
        var error = AssertRefusedWithin(garbage, header);
        Assert.Contains($"{codec} records of the batch at offset {header.BaseOffset} do not decompress", error.Message);

        // Cut short: the codec refuses, or what it yields is not whole records; either way an error, in bounded time.
        var cut = TestBatches.WithRecordsSection(good, codec, good.AsSpan(RecordBatchLayout.HeaderSize, (good.Length - RecordBatchLayout.HeaderSize) / 2));
        RecordBatchHeader.TryRead(cut, out header);
        AssertRefusedWithin(cut, header);
    }

    private static void AssertDecodesToVector(CompressionType codec, byte[] compressed)
    {
        var batch = VectorBatch(codec, compressed);
        RecordBatchHeader.TryRead(batch, out var header);
        using var plain = RecordBatchCompression.Decompress(batch, header);
        Assert.Equal(Records(), plain.WrittenMemory[RecordBatchLayout.HeaderSize..].ToArray());
        Assert.Equal(12, TestBatches.Records(plain.WrittenMemory).Count);
    }

    /// <summary>The header of a batch of the vectors' 12 records in front of their <paramref name="compressed"/> records section.</summary>
    private static byte[] VectorBatch(CompressionType codec, byte[] compressed) =>
        TestBatches.WithRecordsSection(TestBatches.Build(0, "hub", "compression", "vector", "hub", "compression", "vector",
            "hub", "compression", "vector", "hub", "compression", "vector"), codec, compressed);

    /// <summary>Values "hub", "compression", "vector" four times (null keys, timestamp delta 0, no headers) as a records section: the vectors' input.</summary>
    private static byte[] Records() => Convert.FromHexString(
        "12000000010668756200220000020116636f6d7072657373696f6e0018000004010c766563746f720012000006010668756200220000080116636f6d" +
        "7072657373696f6e001800000a010c766563746f72001200000c0106687562002200000e0116636f6d7072657373696f6e0018000010010c76656374" +
        "6f720012000012010668756200220000140116636f6d7072657373696f6e0018000016010c766563746f7200");

    /// <summary>A batch <paramref name="totalBytes"/> long uncompressed (its records section zeros), compressed with <paramref name="codec"/>.</summary>
    private static byte[] CompressedZeros(CompressionType codec, int totalBytes)
    {
        using var output = RecordBatchCompression.NewCompressedOutput(1 << 16);
        RecordBatchCompression.Compress(WithRecords(new byte[totalBytes - RecordBatchLayout.HeaderSize]), codec, output);
        return output.WrittenMemory.ToArray();
    }

    /// <summary>An uncompressed batch's header in front of <paramref name="records"/>.</summary>
    private static byte[] WithRecords(byte[] records) => TestBatches.WithRecordsSection(TestBatches.Build(1, "a"), CompressionType.None, records);

    /// <summary>Decompressing and walking the batch ends in <see cref="InvalidDataException"/> within <see cref="DecodeBound"/>.</summary>
    private static InvalidDataException AssertRefusedWithin(byte[] batch, RecordBatchHeader header)
    {
        var decode = Task.Run(() =>
        {
            using var plain = RecordBatchCompression.Decompress(batch, header);
            var reader = new RecordReader(plain.WrittenMemory);
            while (reader.MoveNext())
            {
            }
        });
        Assert.True(((IAsyncResult)decode).AsyncWaitHandle.WaitOne(DecodeBound), "decoding damaged input did not end");
        return Assert.IsType<InvalidDataException>(decode.Exception?.InnerException);
    }
}
