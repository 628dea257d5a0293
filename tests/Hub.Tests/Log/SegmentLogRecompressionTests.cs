using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;
using Hub.Partitions;
using Hub.Tests.Kafka;
using Hub.Topics;

namespace Hub.Tests.Log;

/// <summary>
/// A topic's compression.type: "producer" stores batches as they came; a codec has the leader store every batch
/// with that codec, keeping the producer's stamp, the records' offsets and timestamps, as Kafka's LogValidator does.
/// </summary>
public sealed class SegmentLogRecompressionTests : IDisposable
{
    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static TopicConfig Compression(string type) => LogTestBed.Config with { CompressionType = type };

    private static byte[] Batch() =>
        TestBatches.Build([(1_000, "first " + new string('a', 100)), (1_005, "second " + new string('b', 100)), (1_002, "third")]);

    [Theory]
    [InlineData("gzip", CompressionType.Gzip)]
    [InlineData("snappy", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    public void An_uncompressed_idempotent_batch_is_stored_with_the_topics_codec_keeping_its_stamp_offsets_and_timestamps(string type, CompressionType codec)
    {
        using var log = _bed.Open(Compression(type));
        log.Append(TestBatches.Build(1, "before"));
        var sent = IdempotentBatches.Create(producerId: 9, epoch: 2, baseSequence: 0, records: 4);
        RecordBatchHeader.TryRead(sent, out var sentHeader);

        var result = log.Append(sent.ToArray(), leaderEpoch: 3);

        Assert.Equal((1L, 4L), (result.BaseOffset, result.LastOffset));
        var read = log.Read(1, 1 << 20).Memory;
        var (stored, bytes) = Assert.Single(TestBatches.Split(read));
        Assert.Equal(codec, stored.Compression);
        Assert.Equal(RecordBatchHeader.ComputeCrc(bytes), stored.Crc);
        Assert.Equal(sentHeader with { BaseOffset = 1, PartitionLeaderEpoch = 3, BatchLength = stored.BatchLength, Crc = stored.Crc, Attributes = stored.Attributes }, stored);
        Assert.Equal((short)(sentHeader.Attributes | (short)codec), stored.Attributes);
        Assert.Equal(TestBatches.Records(sent).Select(r => (r.Offset + 1, r.Timestamp, r.Value)), TestBatches.Records(read));

        // The producer state saw the batch: its retry is the same append, not a new one.
        var retry = log.Append(sent.ToArray(), leaderEpoch: 3);
        Assert.Equal((1L, 4L, 5L), (retry.BaseOffset, retry.LastOffset, log.LogEndOffset));
    }

    [Fact]
    public void A_batch_in_another_codec_is_recompressed_and_uncompressed_stores_it_plain()
    {
        using (var log = _bed.Open(Compression("lz4")))
        {
            log.Append(TestBatches.Compress(Batch(), CompressionType.Snappy, xerialBlockBytes: 64));
            var read = log.Read(0, 1 << 20).Memory;
            Assert.Equal(CompressionType.Lz4, Assert.Single(TestBatches.Split(read)).Header.Compression);
            Assert.Equal(TestBatches.Records(Batch()), TestBatches.Records(read));
            Assert.Equal(new OffsetAndTimestamp(1, 1_005), log.OffsetForTimestamp(OffsetSpec.MaxTimestamp));

            log.UpdateConfig(Compression("uncompressed"));
            log.Append(TestBatches.Compress(Batch(), CompressionType.Zstd));
            var plain = TestBatches.Split(log.Read(3, 1 << 20).Memory).Single();
            Assert.Equal(CompressionType.None, plain.Header.Compression);
            Assert.Equal(Batch().AsSpan(RecordBatchLayout.Magic).ToArray(), plain.Bytes.AsSpan(RecordBatchLayout.Magic).ToArray());
        }
    }

    [Theory]
    [InlineData("producer", CompressionType.Gzip)]
    [InlineData("producer", CompressionType.None)]
    [InlineData("zstd", CompressionType.Zstd)]
    public void A_batch_already_in_the_topics_codec_or_under_producer_is_stored_as_it_came(string type, CompressionType sentCodec)
    {
        using var log = _bed.Open(Compression(type));
        var sent = sentCodec == CompressionType.None ? Batch() : TestBatches.Compress(Batch(), sentCodec);

        log.Append(sent.ToArray());

        var stored = Assert.Single(TestBatches.Split(log.Read(0, 1 << 20).Memory));
        Assert.Equal(sent.AsSpan(RecordBatchLayout.Magic).ToArray(), stored.Bytes.AsSpan(RecordBatchLayout.Magic).ToArray());
    }

    [Fact]
    public void An_append_of_several_batches_is_refused_when_one_must_be_rewritten_as_in_kafka()
    {
        // Kafka's leader takes one batch per partition and produce when it rewrites; so the rewritten copy an
        // append is held in is bounded by one batch, however many small bombs a request carries.
        using var log = _bed.Open(Compression("gzip"));
        var sameCodec = TestBatches.Compress(Batch(), CompressionType.Gzip);

        var refused = Assert.Throws<HubException>(() => log.Append(TestBatches.Concat(sameCodec, TestBatches.Compress(TestBatches.Build(2, "c"), CompressionType.Zstd))));

        Assert.Equal(ErrorCode.InvalidRecord, refused.Code);
        Assert.Equal(0, log.LogEndOffset);
        // Nothing to rewrite: several batches are stored as they came.
        var result = log.Append(TestBatches.Concat(sameCodec, TestBatches.Compress(TestBatches.Build(2, "c"), CompressionType.Gzip)));
        Assert.Equal((0L, 3L), (result.BaseOffset, result.LastOffset));
        Assert.Equal([.. TestBatches.Records(Batch()).Select(r => r.Value), "c"], TestBatches.Records(log.Read(0, 1 << 20).Memory).Select(r => r.Value));
    }

    [Fact]
    public void A_follower_copies_the_recompressed_batches_and_their_producer_as_they_are()
    {
        using var leader = _bed.Open(Compression("snappy"));
        using var followerBed = new LogTestBed();
        using var follower = followerBed.Open(Compression("snappy"));
        var sent = IdempotentBatches.Create(producerId: 5, epoch: 0, baseSequence: 0, records: 3);
        leader.Append(sent.ToArray(), leaderEpoch: 1);

        follower.AppendReplicated(leader.Read(0, int.MaxValue).Memory);

        Assert.Equal(leader.Read(0, int.MaxValue).Memory.ToArray(), follower.Read(0, int.MaxValue).Memory.ToArray());
        Assert.Equal((0L, 2L), (follower.Append(sent.ToArray(), leaderEpoch: 1).BaseOffset, follower.LogEndOffset - 1)); // a retry reaching it after a failover
    }

    [Theory]
    [InlineData(CompressionType.Lz4, "gzip", CompressionType.Gzip)]
    [InlineData(CompressionType.Lz4, "zstd", CompressionType.Zstd)]
    [InlineData(CompressionType.Gzip, "snappy", CompressionType.Snappy)]
    public void A_batch_of_the_whole_decompression_limit_is_recompressed_and_stays_readable(CompressionType sent, string type, CompressionType stored)
    {
        var batch = OneRecordBatchOf(RecordBatchCompression.MaxDecompressedBytes);
        // Snappy compresses at most about 21 to 1: 64 MiB of zeros take 3 MiB.
        using var log = _bed.Open(Compression(type) with { MaxMessageBytes = 4 << 20 });

        log.Append(TestBatches.Compress(batch, sent));

        var (header, bytes) = Assert.Single(TestBatches.Split(log.Read(0, int.MaxValue).Memory));
        Assert.Equal(stored, header.Compression);
        using var plain = RecordBatchCompression.Decompress(bytes, header);
        Assert.Equal(RecordBatchCompression.MaxDecompressedBytes, plain.Length);
        Assert.True(plain.WrittenMemory.Span[RecordBatchLayout.HeaderSize..].SequenceEqual(batch.AsSpan(RecordBatchLayout.HeaderSize)));
    }

    [Fact]
    public void An_uncompressed_batch_past_the_decompression_limit_is_refused_rather_than_stored_unreadable()
    {
        var batch = OneRecordBatchOf(RecordBatchCompression.MaxDecompressedBytes + 1);
        using var log = _bed.Open(Compression("zstd") with { MaxMessageBytes = batch.Length });

        var refused = Assert.Throws<HubException>(() => log.Append(batch));

        Assert.Equal(ErrorCode.MessageTooLarge, refused.Code);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void A_batch_decompressing_past_max_message_bytes_is_refused_before_it_is_stored_uncompressed()
    {
        var batch = TestBatches.Compress(TestBatches.OfValueSize(1, 64 * 1024), CompressionType.Zstd);
        using var log = _bed.Open(Compression("uncompressed") with { MaxMessageBytes = 4096 });

        var refused = Assert.Throws<HubException>(() => log.Append(batch));

        Assert.Equal(ErrorCode.MessageTooLarge, refused.Code);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void A_batch_that_recompresses_past_max_message_bytes_is_refused()
    {
        // Random bytes don't compress: gzip's framing makes the batch a little larger than it came.
        var random = new byte[4096];
        new Random(15).NextBytes(random);
        using var builder = new RecordBatchBuilder(1 << 16);
        builder.Append(1, null, random);
        var sent = builder.Build().ToArray();
        using var log = _bed.Open(Compression("gzip") with { MaxMessageBytes = sent.Length });

        var refused = Assert.Throws<HubException>(() => log.Append(sent.ToArray()));

        Assert.Equal(ErrorCode.MessageTooLarge, refused.Code);
        Assert.Equal(0, log.LogEndOffset);
    }

    /// <summary>An uncompressed batch of one record of zeros, <paramref name="totalBytes"/> long in all.</summary>
    private static byte[] OneRecordBatchOf(int totalBytes)
    {
        // Around the 64 MiB limit a record takes 13 bytes besides its value: 4-byte varints for its length and the
        // value's, one byte each for its attributes, timestamp and offset deltas, null key and header count.
        const int RecordOverhead = 13;
        using var builder = new RecordBatchBuilder(totalBytes);
        builder.Append(1_000, null, new byte[totalBytes - RecordBatchLayout.HeaderSize - RecordOverhead]);
        var batch = builder.Build().ToArray();
        Assert.Equal(totalBytes, batch.Length);
        return batch;
    }
}
