using System.Text;
using Hub.Batches;
using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Log;

namespace Hub.Tests.Client;

/// <summary>
/// <see cref="ConsumerOptions.RecordLifetime"/> and <see cref="ConsumerOptions.IsolationLevel"/> against in-memory
/// grains whose fetch replies are rented buffers, as Orleans' codec hands them to a client.
/// </summary>
public sealed class RecordLifetimeTests : InMemoryTopicTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task UntilNextBatch_gives_a_fetch_reply_back_once_the_reader_moved_past_its_last_batch()
    {
        var log = Cluster.Log("events", 0);
        log.ServedReplies = new();
        // One reply of three batches, the middle one compressed (decompressed into a pooled buffer of its own).
        log.Append(TestBatches.Concat(TestBatches.Build(1, "a", "b"), TestBatches.Compress(TestBatches.Build(1, "c", "d"), CompressionType.Lz4),
            TestBatches.Build(1, "e")));

        await using var consumer = Client.CreateConsumer(new ConsumerOptions { RecordLifetime = RecordLifetime.UntilNextBatch, MaxWaitMs = 50 });
        await consumer.AssignAsync("events", 0, OffsetSpec.Earliest);
        using var timeout = new CancellationTokenSource(Bound);
        await using var records = consumer.ConsumeAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        var values = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await records.MoveNextAsync());
            values.Add(Encoding.UTF8.GetString(records.Current.Record.Value!.Value.Span));
        }
        Assert.Equal(["a", "b", "c", "d", "e"], values);
        var reply = Assert.Single(log.ServedReplies, r => !r.IsEmpty);
        _ = reply.Memory; // "e", the reply's last batch, is in hand: its bytes are still the application's

        log.Append(TestBatches.Build(1, "f"));
        Assert.True(await records.MoveNextAsync());
        Assert.Equal("f", Encoding.UTF8.GetString(records.Current.Record.Value!.Value.Span));
        Assert.Throws<ObjectDisposedException>(() => reply.Memory);
    }

    [Fact]
    public async Task Unbounded_records_keep_their_bytes_after_the_reader_moved_on()
    {
        var log = Cluster.Log("events", 0);
        log.ServedReplies = new();
        log.Append(TestBatches.Concat(TestBatches.Build(1, "a"), TestBatches.Compress(TestBatches.Build(1, "b"), CompressionType.Zstd)));

        await using var consumer = Client.CreateConsumer(new ConsumerOptions { MaxWaitMs = 50 });
        await consumer.AssignAsync("events", 0, OffsetSpec.Earliest);
        var kept = new List<ConsumeResult>();
        using var timeout = new CancellationTokenSource(Bound);
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            kept.Add(result);
            if (kept.Count == 2) break;
        }

        Assert.Equal(["a", "b"], kept.Select(r => Encoding.UTF8.GetString(r.Record.Value!.Value.Span)));
        Assert.All(log.ServedReplies, reply => _ = reply.Memory);
    }

    [Fact]
    public async Task Batches_of_an_UntilNextBatch_consumer_read_the_same_as_unbounded_ones()
    {
        await using (var producer = Client.CreateProducer(new ProducerOptions { LingerMs = 1, BatchSizeBytes = 4096, CompressionType = CompressionType.Gzip }))
        {
            for (var i = 0; i < 2_000; i++) producer.Produce("events", new ProducerRecord { Value = Encoding.UTF8.GetBytes($"value {i}") });
        }

        Assert.Equal(await ReadValuesAsync(RecordLifetime.Unbounded), await ReadValuesAsync(RecordLifetime.UntilNextBatch));
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => $"value {i}"), await ReadValuesAsync(RecordLifetime.UntilNextBatch));
    }

    [Fact]
    public async Task Fetches_ask_for_the_consumers_isolation_level_read_committed_by_default()
    {
        var log = Cluster.Log("events", 0);
        log.Append(TestBatches.Build(1, "a"));
        foreach (var level in new IsolationLevel?[] { null, IsolationLevel.ReadUncommitted, IsolationLevel.ReadCommitted })
        {
            var options = new ConsumerOptions { MaxWaitMs = 10 };
            if (level is { } given) options.IsolationLevel = given;
            while (log.FetchRequests.TryDequeue(out _)) { }
            await using var consumer = Client.CreateConsumer(options);
            await consumer.AssignAsync("events", 0, OffsetSpec.Earliest);
            using var timeout = new CancellationTokenSource(Bound);
            await foreach (var _ in consumer.ConsumeAsync(timeout.Token)) break;

            Assert.Equal(level ?? IsolationLevel.ReadCommitted, log.FetchRequests.First().IsolationLevel);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.CreateConsumer(new ConsumerOptions { IsolationLevel = (IsolationLevel)7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Client.CreateConsumer(new ConsumerOptions { RecordLifetime = (RecordLifetime)7 }));
    }

    private async Task<List<string>> ReadValuesAsync(RecordLifetime lifetime)
    {
        var values = new List<string>();
        await using var consumer = Client.CreateConsumer(new ConsumerOptions { RecordLifetime = lifetime, MaxWaitMs = 50, MaxPartitionFetchBytes = 8192 });
        await consumer.AssignAsync("events", 0, OffsetSpec.Earliest);
        using var timeout = new CancellationTokenSource(Bound);
        await foreach (var batch in consumer.ConsumeBatchesAsync(timeout.Token))
        {
            Assert.Equal(RecordBatchHeader.ComputeCrc(batch.Bytes.Span), RecordBatchHeader.TryRead(batch.Bytes.Span, out var header) ? header.Crc : 0);
            foreach (var record in batch) values.Add(Encoding.UTF8.GetString(record.Value!.Value.Span)); // copied before the next batch
            if (values.Count == 2_000) break;
        }
        return values;
    }
}
