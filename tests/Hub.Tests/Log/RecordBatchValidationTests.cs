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
    private readonly long _fileSizeBefore;

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
        Assert.Equal(1, _log.LogEndOffset);
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

    [Fact]
    public void Bad_crc_is_corrupt_message()
    {
        var batch = TestBatches.Build(1, "a", "b");
        batch[^1] ^= 0x40;

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

    [Fact]
    public void Max_timestamp_disagreeing_with_the_records_is_invalid()
    {
        AssertRefused(ErrorCode.InvalidRecord, Edited(b => BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(RecordBatchLayout.MaxTimestamp), 99)));
    }

    [Fact]
    public void Unknown_compression_codec_is_corrupt()
    {
        AssertRefused(ErrorCode.CorruptMessage, Edited(b => BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(RecordBatchLayout.Attributes), 6)));
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
        Assert.Equal(["existing"], TestBatches.Records(_log.Read(0, int.MaxValue)).Select(r => r.Value));
    }

    [Fact]
    public void Compressed_batch_is_stored_without_walking_its_records()
    {
        // Records are not parsed for a compressed batch; only the header rules and the CRC apply.
        var batch = Edited(b => BinaryPrimitives.WriteInt16BigEndian(b.AsSpan(RecordBatchLayout.Attributes), (short)CompressionType.Zstd));

        Assert.Equal((1L, 3L), (_log.Append(batch).BaseOffset, _log.LogEndOffset - 1));
    }
}
