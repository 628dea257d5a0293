using System.Text;
using Hub.Batches;
using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Log;

namespace Hub.Tests.Client;

/// <summary>
/// The SDK against in-memory grains with compressed batches: both consume loops read every codec (snappy in
/// xerial's framing too), a batch that doesn't decompress fails the consumer with a clear error instead of a hang,
/// and the producer writes batches in its codec.
/// </summary>
public sealed class CompressedBatchesTests : InMemoryTopicTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static TheoryData<CompressionType> Codecs => [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    [Fact]
    public async Task Both_consume_loops_read_batches_of_every_codec()
    {
        var log = Cluster.Log("events", 0);
        var expected = new List<string>();
        foreach (var (codec, xerial) in new[] { (CompressionType.None, 0), (CompressionType.Gzip, 0), (CompressionType.Snappy, 0),
                     (CompressionType.Snappy, 32), (CompressionType.Lz4, 0), (CompressionType.Zstd, 0) })
        {
            var values = Enumerable.Range(0, 5).Select(i => $"{codec}/{xerial} record {i} {new string('c', 50)}").ToArray();
            var batch = TestBatches.Build(1_000, values);
            log.Append(codec == CompressionType.None ? batch : TestBatches.Compress(batch, codec, xerial));
            expected.AddRange(values);
        }

        await using (var consumer = Client.CreateConsumer())
        {
            await consumer.AssignAsync("events", 0, 3); // inside the first batch
            var records = await TakeAsync(consumer.ConsumeAsync, expected.Count - 3);
            Assert.Equal(Enumerable.Range(3, expected.Count - 3).Select(o => (long)o), records.Select(r => r.Record.Offset));
            Assert.Equal(expected.Skip(3), records.Select(r => Encoding.UTF8.GetString(r.Record.Value!.Value.Span)));
        }

        await using (var consumer = Client.CreateConsumer())
        {
            await consumer.AssignAsync("events", 0, 7); // inside the gzip batch
            var batches = await TakeAsync(consumer.ConsumeBatchesAsync, 5);
            var values = new List<string>();
            foreach (var batch in batches)
            {
                // Handed out decompressed, as a valid uncompressed batch.
                Assert.True(RecordBatchHeader.TryRead(batch.Bytes.Span, out var header));
                Assert.Equal((CompressionType.None, batch.Bytes.Length), (header.Compression, header.TotalSize));
                Assert.Equal(RecordBatchHeader.ComputeCrc(batch.Bytes.Span), header.Crc);
                foreach (var record in batch) values.Add(Encoding.UTF8.GetString(record.Value!.Value.Span));
            }
            Assert.Equal(expected.Skip(7), values);
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task A_batch_that_does_not_decompress_fails_the_consumer_with_a_clear_error(CompressionType codec)
    {
        var log = Cluster.Log("events", 0);
        log.Append(TestBatches.Build(1_000, "readable"));
        var good = TestBatches.Compress(TestBatches.Build(1_000, "a", "b", "c"), codec);
        log.Append(TestBatches.WithRecordsSection(good, codec, Enumerable.Repeat((byte)0xEE, good.Length - RecordBatchLayout.HeaderSize).ToArray()));

        await using var consumer = Client.CreateConsumer();
        await consumer.AssignAsync("events", 0, OffsetSpec.Earliest);
        var read = new List<long>();
        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await foreach (var result in consumer.ConsumeAsync(timeout.Token)) read.Add(result.Record.Offset);
        });

        Assert.Equal([0L], read); // the batch before it was read
        Assert.StartsWith($"events/0: the {codec} records of the batch at offset 1 do not decompress", error.Message);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task The_producer_writes_batches_in_its_codec(CompressionType codec)
    {
        var values = Enumerable.Range(0, 200).Select(i => $"value {i} {new string('p', i % 50)}").ToArray();
        await using (var producer = Client.CreateProducer(new ProducerOptions { CompressionType = codec, LingerMs = 50 }))
        {
            foreach (var value in values) producer.Produce("events", new ProducerRecord { Key = [(byte)(value.Length % 3)], Value = Encoding.UTF8.GetBytes(value) });
        }

        var stored = await Cluster.Log("events", 0).Fetch(new FetchRequest(0, 1 << 20));
        var batches = TestBatches.Split(stored.Records.Memory);
        Assert.All(batches, b => Assert.Equal(codec, b.Header.Compression));
        Assert.Equal(values, TestBatches.Records(stored.Records.Memory).Select(r => r.Value));

        await using var consumer = Client.CreateConsumer();
        await consumer.AssignAsync("events", 0, OffsetSpec.Earliest);
        var consumed = await TakeAsync(consumer.ConsumeAsync, values.Length);
        Assert.Equal(values, consumed.Select(r => Encoding.UTF8.GetString(r.Record.Value!.Value.Span)));
    }

    private static async Task<List<T>> TakeAsync<T>(Func<CancellationToken, IAsyncEnumerable<T>> consume, int count)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var items = new List<T>();
        await foreach (var item in consume(timeout.Token))
        {
            items.Add(item);
            if (items.Count == count) break;
        }
        return items;
    }
}
