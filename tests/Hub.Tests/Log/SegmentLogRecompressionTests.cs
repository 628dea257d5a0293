using Hub.Batches;
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
    public void Each_batch_of_an_append_is_recompressed_on_its_own()
    {
        using var log = _bed.Open(Compression("gzip"));

        var result = log.Append(TestBatches.Concat(TestBatches.Build(1, "a", "b"), TestBatches.Compress(Batch(), CompressionType.Gzip),
            TestBatches.Compress(TestBatches.Build(2, "c"), CompressionType.Lz4)));

        Assert.Equal((0L, 5L), (result.BaseOffset, result.LastOffset));
        var read = log.Read(0, 1 << 20).Memory;
        Assert.Equal([(0L, CompressionType.Gzip), (2, CompressionType.Gzip), (5, CompressionType.Gzip)],
            TestBatches.Split(read).Select(b => (b.Header.BaseOffset, b.Header.Compression)));
        Assert.Equal(["a", "b", .. TestBatches.Records(Batch()).Select(r => r.Value), "c"], TestBatches.Records(read).Select(r => r.Value));
    }

    [Fact]
    public void A_follower_copies_the_recompressed_batches_and_their_producer_as_they_are()
    {
        using var leader = _bed.Open(Compression("snappy"));
        using var followerBed = new LogTestBed();
        using var follower = followerBed.Open(Compression("snappy"));
        var sent = IdempotentBatches.Create(producerId: 5, epoch: 0, baseSequence: 0, records: 3);
        leader.Append(sent.ToArray(), leaderEpoch: 1);

        follower.AppendReplicated(leader.Read(0, int.MaxValue).Memory.Span);

        Assert.Equal(leader.Read(0, int.MaxValue).Memory.ToArray(), follower.Read(0, int.MaxValue).Memory.ToArray());
        Assert.Equal((0L, 2L), (follower.Append(sent.ToArray(), leaderEpoch: 1).BaseOffset, follower.LogEndOffset - 1)); // a retry reaching it after a failover
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
}
