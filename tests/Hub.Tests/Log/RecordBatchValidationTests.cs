using System.Buffers.Binary;
using Hub.Batches;
using Hub.Errors;
using Hub.Silo.Log;

namespace Hub.Tests.Log;

/// <summary>Appends that <see cref="RecordBatchValidator"/> refuses, and that they leave the log untouched.</summary>
public sealed class RecordBatchValidationTests : IDisposable
{
    private readonly LogTestBed _bed = new();
    private readonly SegmentLog _log;
    private long _fileSizeBefore;
    private long _endBefore = 1;

    public RecordBatchValidationTests()
    {
        _log = _bed.Open(LogTestBed.Config with { MaxMessageBytes = 2000 });
        _log.Append(TestBatches.Build(1, "existing"));
        _fileSizeBefore = new FileInfo(_bed.ActiveLogFile()).Length;
    }

    public void Dispose()
    {
        _log.Dispose();
        _bed.Dispose();
    }

    private void AssertRefused(ErrorCode expected, byte[] batches)
    {
        var error = Assert.Throws<HubException>(() => _log.Append(batches));
        Assert.Equal(expected, error.Code);
        Assert.Equal(_endBefore, _log.LogEndOffset);
        Assert.Equal(_fileSizeBefore, new FileInfo(_bed.ActiveLogFile()).Length);
        Assert.Equal(_fileSizeBefore, _log.SizeBytes);
    }

    private static byte[] Edited(Action<byte[]> edit, bool fixCrc = true)
    {
        var batch = TestBatches.Build(1, "a", "b", "c");
        edit(batch);
        if (fixCrc) TestBatches.FixCrc(batch);
        return batch;
    }

    /// <summary>
    /// Kafka's Produce record errors (KIP-467): every keyless record of a compacted append is named, counted from the
    /// append's first record, so a client fails those and not their keyed batch-mates as well (librdkafka's 0011).
    /// </summary>
    [Fact]
    public void Keyless_records_of_a_compacted_append_are_each_named()
    {
        var append = TestBatches.Concat(TestBatches.Keyed(1, ("k", "a"), ("k", "b")), TestBatches.Keyed(1, (null, "c"), ("k", "d"), (null, "e")));

        var error = Assert.Throws<HubException>(() => RecordBatchValidator.Validate(append, int.MaxValue, new ValidatedBatches(), keysRequired: true));

        Assert.Equal(ErrorCode.InvalidRecord, error.Code);
        Assert.Equal([2, 4], error.RecordIndexes);
    }

    [Fact]
    public void Bad_crc_is_corrupt_message()
    {
        var batch = TestBatches.Build(1, "a", "b");
        batch[^1] ^= 0x40;

        AssertRefused(ErrorCode.CorruptMessage, batch);
    }

    [Fact]
    public void A_retry_of_a_stored_batch_is_validated_before_it_is_recognized()
    {
        // As in Kafka, the records are checked before the producer state: a damaged retry is refused, not
        // answered with the offsets of the batch it claims to repeat.
        var batch = Hub.Tests.Kafka.IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0);
        var stored = _log.Append(batch.ToArray());
        Assert.Equal(stored, _log.Append(batch.ToArray()));
        Assert.Equal(stored.LastOffset + 1, _log.LogEndOffset);
        _fileSizeBefore = new FileInfo(_bed.ActiveLogFile()).Length;
        _endBefore = stored.LastOffset + 1;

        batch[^1] ^= 1;
        AssertRefused(ErrorCode.CorruptMessage, batch);
    }

    [Fact]
    public void Batch_over_max_message_bytes_is_message_too_large()
    {
        AssertRefused(ErrorCode.MessageTooLarge, TestBatches.OfValueSize(1, 2000));
    }

    [Fact]
    public void Truncated_batch_is_corrupt()
    {
        AssertRefused(ErrorCode.CorruptMessage, TestBatches.Build(1, "a", "b")[..^1]);
    }

    [Fact]
    public void Batch_shorter_than_a_header_is_corrupt()
    {
        AssertRefused(ErrorCode.CorruptMessage, TestBatches.Build(1, "a")[..40]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(100)]
    public void Trailing_garbage_is_corrupt(int garbageBytes)
    {
        AssertRefused(ErrorCode.CorruptMessage, [.. TestBatches.Build(1, "a"), .. new byte[garbageBytes]]);
    }

    [Fact]
    public void Wrong_magic_is_corrupt()
    {
        AssertRefused(ErrorCode.CorruptMessage, Edited(b => b[RecordBatchLayout.Magic] = 1));
    }

    [Fact]
    public void Negative_batch_length_is_corrupt()
    {
        AssertRefused(ErrorCode.CorruptMessage, Edited(b => BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.BatchLength), -5), fixCrc: false));
    }

    [Fact]
    public void Record_count_not_matching_the_records_is_invalid()
    {
        AssertRefused(ErrorCode.InvalidRecord, Edited(b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.RecordCount), 4);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.LastOffsetDelta), 3);
        }));
        AssertRefused(ErrorCode.InvalidRecord, Edited(b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.RecordCount), 2);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.LastOffsetDelta), 1);
        }));
    }

    [Fact]
    public void Zero_records_is_invalid()
    {
        AssertRefused(ErrorCode.InvalidRecord, Edited(b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.RecordCount), 0);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.LastOffsetDelta), -1);
        }));
    }

    [Fact]
    public void Last_offset_delta_not_matching_record_count_is_invalid()
    {
        AssertRefused(ErrorCode.InvalidRecord, Edited(b => BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.LastOffsetDelta), 5)));
    }

    [Fact]
    public void Records_with_out_of_order_offset_deltas_are_invalid()
    {
        // The second record's offset delta varint (1, zig-zag 2) sits 3 bytes into its body: length, attributes, timestamp delta.
        var batch = TestBatches.Build(1, "a", "b");
        var secondRecord = RecordBatchLayout.HeaderSize + 1 + batch[RecordBatchLayout.HeaderSize] / 2;
        Assert.Equal(2, batch[secondRecord + 3]);
        batch[secondRecord + 3] = 4;
        TestBatches.FixCrc(batch);

        AssertRefused(ErrorCode.InvalidRecord, batch);
    }

    [Theory]
    [InlineData(-1L)] // as sarama sends it
    [InlineData(99L)]
    public void A_max_timestamp_disagreeing_with_the_records_is_stored_as_their_largest_as_Kafka_does(long sent)
    {
        var batch = TestBatches.Build(1, "a", "b", "c");
        Assert.True(RecordBatchHeader.TryRead(batch, out var built));
        var recordsLargest = built.MaxTimestamp;
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchLayout.MaxTimestamp), sent);
        TestBatches.FixCrc(batch);

        var appended = _log.Append(batch);

        using var read = _log.Read(appended.BaseOffset, 1 << 20);
        var (header, bytes) = Assert.Single(TestBatches.Split(read.Memory));
        Assert.Equal(recordsLargest, header.MaxTimestamp);
        Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(bytes));
        Assert.Equal(recordsLargest, _log.OffsetForTimestamp(Hub.Partitions.OffsetSpec.MaxTimestamp).TimestampMs);
    }

    [Fact]
    public void Unknown_compression_codec_is_corrupt()
    {
        AssertRefused(ErrorCode.CorruptMessage, Edited(b => BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(RecordBatchLayout.Attributes), 6)));
    }

    [Fact]
    public void A_control_batch_from_a_client_is_invalid_but_a_replicated_one_is_copied()
    {
        // Only a broker writes control records (transaction markers); Kafka refuses them from clients.
        var marker = Edited(b => BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(RecordBatchLayout.Attributes),
            (short)(RecordBatchLayout.ControlFlag | RecordBatchLayout.TransactionalFlag)));
        AssertRefused(ErrorCode.InvalidRecord, marker);

        RecordBatchHeader.WriteBaseOffset(marker, _log.LogEndOffset);
        _log.AppendReplicated(marker);
        Assert.Equal(_endBefore + 3, _log.LogEndOffset);
    }

    [Fact]
    public void Empty_append_is_invalid()
    {
        AssertRefused(ErrorCode.InvalidRecord, []);
    }

    [Fact]
    public void One_bad_batch_in_a_multi_batch_append_writes_nothing()
    {
        var bad = TestBatches.Build(1, "bad");
        bad[^1] ^= 1;

        AssertRefused(ErrorCode.CorruptMessage, TestBatches.Concat(TestBatches.Build(1, "good"), bad, TestBatches.Build(1, "good")));
        Assert.Equal(["existing"], TestBatches.Records(_log.Read(0, int.MaxValue).Memory).Select(r => r.Value));
    }

    public static TheoryData<CompressionType> Codecs => [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Theory]
    [InlineData(CompressionType.Gzip, 0)]
    [InlineData(CompressionType.Snappy, 0)]
    [InlineData(CompressionType.Snappy, 64)]
    [InlineData(CompressionType.Lz4, 0)]
    [InlineData(CompressionType.Zstd, 0)]
    public void Compressed_batch_is_validated_and_stored_as_it_came(CompressionType codec, int xerialBlockBytes)
    {
        var batch = TestBatches.Compress(TestBatches.Build(5, Enumerable.Range(0, 20).Select(i => $"value {i} {new string('z', i * 10)}").ToArray()), codec, xerialBlockBytes);

        Assert.Equal((1L, 20L), (_log.Append(batch).BaseOffset, _log.LogEndOffset - 1));
        var stored = TestBatches.Split(_log.Read(1, int.MaxValue).Memory).Single().Bytes;
        Assert.Equal(batch[RecordBatchLayout.BatchLength..], stored[RecordBatchLayout.BatchLength..]);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Compressed_payload_that_does_not_decompress_is_corrupt_despite_a_valid_crc(CompressionType codec)
    {
        var compressed = TestBatches.Compress(TestBatches.Build(1, "a", "b", "c"), codec);
        var garbage = Enumerable.Repeat((byte)0xFF, compressed.Length - RecordBatchLayout.HeaderSize).ToArray();

        AssertRefused(ErrorCode.CorruptMessage, TestBatches.WithRecordsSection(compressed, codec, garbage));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Compressed_records_must_match_the_batch_header(CompressionType codec)
    {
        // Three records inside, while the header announces four (lastOffsetDelta 3, recordCount 4).
        var batch = Edited(b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.LastOffsetDelta), 3);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.RecordCount), 4);
        });

        AssertRefused(ErrorCode.InvalidRecord, TestBatches.Compress(batch, codec));
    }

    [Fact]
    public void Truncated_xerial_snappy_block_is_corrupt()
    {
        var framed = TestBatches.Compress(TestBatches.Build(1, "a", "b", "c"), CompressionType.Snappy, xerialBlockBytes: 8);

        AssertRefused(ErrorCode.CorruptMessage, TestBatches.WithRecordsSection(framed, CompressionType.Snappy, framed.AsSpan(RecordBatchLayout.HeaderSize)[..^3]));
    }

    [Fact]
    public void Snappy_batch_claiming_more_than_the_decompression_limit_is_corrupt()
    {
        // Raw snappy starts with the uncompressed length as an unsigned varint: this one claims 100 MiB.
        byte[] claim = [0x80, 0x80, 0x80, 0x32, 0x00, 0x00];

        AssertRefused(ErrorCode.CorruptMessage, TestBatches.WithRecordsSection(TestBatches.Build(1, "a"), CompressionType.Snappy, claim));
    }

    [Fact]
    public void Compressed_batches_of_one_append_may_decompress_to_no_more_than_one_batch_may()
    {
        // Each is well within the per-batch limit; together they pass it, as a request of many such batches would.
        var half = TestBatches.Compress(TestBatches.OfValueSize(1, RecordBatchValidator.MaxDecompressedBytesPerAppend / 2), CompressionType.Zstd);

        RecordBatchValidator.Validate(half, int.MaxValue, new ValidatedBatches());
        var error = Assert.Throws<HubException>(() => RecordBatchValidator.Validate(TestBatches.Concat(half, half, half), int.MaxValue, new ValidatedBatches()));
        Assert.Equal(ErrorCode.MessageTooLarge, error.Code);
        Assert.Contains("batch 1", error.Message);
    }

    [Fact]
    public void Zstd_batch_expanding_past_the_decompression_limit_is_corrupt()
    {
        // 80 MiB of zeros compress to a few KiB; decompression stops at the limit instead of taking the memory.
        using var zstd = new ZstdSharp.Compressor();
        var bomb = TestBatches.WithRecordsSection(TestBatches.Build(1, "a"), CompressionType.Zstd, zstd.Wrap(new byte[80 << 20]));

        var error = Assert.Throws<HubException>(() => RecordBatchValidator.Validate(bomb, int.MaxValue, new ValidatedBatches()));
        Assert.Equal(ErrorCode.CorruptMessage, error.Code);
        Assert.Contains("limit", error.Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Mutated_compressed_payloads_are_accepted_whole_or_refused_with_a_kafka_error(CompressionType codec)
    {
        // Bytes flipped, cut or added inside the compressed records (CRC fixed, so only decompression and the
        // record walk can catch them): whatever a codec library throws must come out as a Kafka error code.
        var random = new Random(4242 + (int)codec);
        var original = TestBatches.Compress(TestBatches.Build(1, Enumerable.Range(0, 30).Select(i => $"value {i} {new string('q', i)}").ToArray()), codec);
        var payload = original.AsSpan(RecordBatchLayout.HeaderSize).ToArray();
        var refused = 0;
        for (var round = 0; round < 500; round++)
        {
            var mutated = payload.ToList();
            switch (random.Next(3))
            {
                case 0:
                    for (var i = random.Next(1, 5); i > 0; i--) mutated[random.Next(mutated.Count)] ^= (byte)random.Next(1, 256);
                    break;
                case 1:
                    var at = random.Next(mutated.Count);
                    mutated.RemoveRange(at, Math.Min(random.Next(1, 9), mutated.Count - at));
                    break;
                default:
                    mutated.InsertRange(random.Next(mutated.Count + 1), Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256)));
                    break;
            }
            var batch = TestBatches.WithRecordsSection(original, codec, mutated.ToArray());
            try
            {
                var validated = new ValidatedBatches();
                RecordBatchValidator.Validate(batch, int.MaxValue, validated);
                Assert.Equal(30, validated.RecordCount);
            }
            catch (HubException e)
            {
                Assert.Contains(e.Code, new[] { ErrorCode.CorruptMessage, ErrorCode.InvalidRecord });
                refused++;
            }
        }
        Assert.True(refused > 250, $"only {refused} of 500 mutations were refused");
    }
}
