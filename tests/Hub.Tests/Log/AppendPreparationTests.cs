using Hub.Batches;
using Hub.Batches.Compression;
using Hub.Errors;
using Hub.Silo.Log;
using Hub.Tests.Kafka;
using Hub.Topics;

namespace Hub.Tests.Log;

/// <summary>
/// What an append's preparation does off the partition grain's turn: validating compressed records, and rewriting a
/// batch in the topic's compression.type, so the log's own append finds nothing costly left to do.
/// </summary>
public sealed class AppendPreparationTests : IDisposable
{
    private readonly LogTestBed _bed = new();
    private readonly AppendPreparation _preparation = new();

    public void Dispose() => _bed.Dispose();

    private static TopicConfig Compression(string type) => LogTestBed.Config with { CompressionType = type };

    /// <summary>The time the preparations run at; the topics here bound no timestamps.</summary>
    private const long Now = 1_700_000_000_000;

    [Fact]
    public async Task An_uncompressed_append_to_a_producer_codec_topic_is_left_to_the_log()
    {
        var prepared = await _preparation.PrepareAsync(TestBatches.Build(1, "plain"), Compression("producer"), Now);
        Assert.Equal(default, prepared);
    }

    [Fact]
    public async Task A_compressed_append_is_validated_and_kept_as_it_came_when_the_topic_keeps_the_producers_codec()
    {
        var gzip = TestBatches.Compress(TestBatches.Build(3, "value"), CompressionType.Gzip);
        var prepared = await _preparation.PrepareAsync(gzip, Compression("producer"), Now);
        Assert.True(prepared.CompressedRecordsChecked);
        Assert.Null(prepared.Rewritten);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_batch_in_another_codec_is_rewritten_in_the_topics_and_the_log_stores_that_copy_as_it_is(bool compressedBySender)
    {
        var sent = IdempotentBatches.Create(producerId: 9, epoch: 2, baseSequence: 0, records: 4);
        if (compressedBySender) sent = TestBatches.Compress(sent, CompressionType.Gzip);
        var prepared = await _preparation.PrepareAsync(sent, Compression("zstd"), Now);
        using var rewritten = prepared.Rewritten;

        Assert.True(prepared.CompressedRecordsChecked);
        Assert.NotNull(rewritten);
        Assert.True(RecordBatchHeader.TryRead(rewritten.WrittenMemory.Span, out var header));
        Assert.Equal((CompressionType.Zstd, 9L, (short)2, 0), (header.Compression, header.ProducerId, header.ProducerEpoch, header.BaseSequence));
        using var log = _bed.Open(Compression("zstd"));
        var stored = rewritten.WrittenMemory.ToArray();
        Assert.Equal((0L, 3L), (log.Append(rewritten.WrittenMemory, compressedRecordsChecked: true) is var result ? (result.BaseOffset, result.LastOffset) : default));
        using var read = log.Read(0, 1 << 20);
        Assert.Equal(stored.Length, read.Length); // stored as prepared: the log rewrote nothing
    }

    [Theory]
    [InlineData("producer")]
    [InlineData("zstd")]
    public async Task A_compressed_batch_with_max_timestamp_minus_one_is_prepared_with_its_records_largest_and_stored_so(string topicCodec)
    {
        // sarama leaves the max timestamp at -1; the log won't walk the compressed records again, so the preparation sets it.
        var plain = TestBatches.Build(3, "value");
        Assert.True(RecordBatchHeader.TryRead(plain, out var built));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(plain.AsSpan(RecordBatchLayout.MaxTimestamp), -1);
        TestBatches.FixCrc(plain);
        var prepared = await _preparation.PrepareAsync(TestBatches.Compress(plain, CompressionType.Gzip), Compression(topicCodec), Now);
        using var rewritten = prepared.Rewritten;

        Assert.NotNull(rewritten);
        using var log = _bed.Open(Compression(topicCodec));
        log.Append(rewritten.WrittenMemory, compressedRecordsChecked: prepared.CompressedRecordsChecked);
        using var read = log.Read(0, 1 << 20);
        var (header, bytes) = Assert.Single(TestBatches.Split(read.Memory));
        Assert.Equal(built.MaxTimestamp, header.MaxTimestamp);
        Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(bytes));
    }

    [Fact]
    public async Task What_the_log_would_refuse_is_refused_before_the_grain_takes_the_append()
    {
        var two = TestBatches.Concat([TestBatches.Build(1, "one"), TestBatches.Build(1, "two")]);
        var refused = await Assert.ThrowsAsync<HubException>(() => _preparation.PrepareAsync(two, Compression("zstd"), Now));
        Assert.Equal(ErrorCode.InvalidRecord, refused.Code);
    }
}
