using System.Text;
using Hub.Batches;
using Hub.Client;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.InterBroker;
using Hub.Topics;

namespace Hub.Tests.Cluster;

public sealed class PartitionGrainTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(retentionCheck: TimeSpan.FromMilliseconds(100));

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private IPartitionGrain Partition(string topic, int partition) =>
        _cluster.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, partition, brokerId: 0));

    // Timestamps in these tests are recent: this cluster checks retention (7 days by default, counted from
    // record timestamps, as in Kafka) every 100 ms.
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task Produced_records_are_consumed_in_order_per_partition_with_keys_values_and_headers()
    {
        await _cluster.Client.Admin.CreateTopicAsync("orders", 3);
        await using (var producer = _cluster.Client.CreateProducer())
        {
            for (var i = 0; i < 300; i++)
            {
                producer.Produce("orders", new ProducerRecord
                {
                    Key = Encoding.UTF8.GetBytes($"customer-{i % 7}"),
                    Value = i % 50 == 0 ? null : Encoding.UTF8.GetBytes($"{i}"),
                    Headers = [new RecordHeader("n", Encoding.UTF8.GetBytes($"{i}"))],
                    TimestampMs = Now + i,
                });
            }
            await producer.FlushAsync();
        }

        var byKey = new Dictionary<string, List<int>>();
        var partitionOfKey = new Dictionary<string, int>();
        await using var consumer = _cluster.Client.CreateConsumer();
        await consumer.AssignAllAsync("orders", OffsetSpec.Earliest);
        using var timeout = new CancellationTokenSource(Bound);
        var count = 0;
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            var record = result.Record;
            var key = Encoding.UTF8.GetString(record.Key!.Value.Span);
            var n = int.Parse(Encoding.UTF8.GetString(record.DecodeHeaders().Single().Value!.Value.Span));
            Assert.Equal(n % 50 == 0, record.Value is null);
            Assert.Equal(Now + n, record.Timestamp);
            Assert.Equal(result.Partition, partitionOfKey.TryAdd(key, result.Partition) ? result.Partition : partitionOfKey[key]);
            (byKey.TryGetValue(key, out var list) ? list : byKey[key] = []).Add(n);
            if (++count == 300) break;
        }
        Assert.Equal(7, byKey.Count);
        Assert.All(byKey.Values, values => Assert.Equal(values.Order(), values));
    }

    [Fact]
    public async Task A_waiting_fetch_returns_as_soon_as_a_record_is_appended()
    {
        await _cluster.Client.Admin.CreateTopicAsync("poll", 1);
        var fetch = Partition("poll", 0).Fetch(new FetchRequest(0, 1 << 20, MaxWaitMs: 60_000));

        await using var producer = _cluster.Client.CreateProducer();
        var written = await producer.ProduceAsync("poll", new ProducerRecord { Value = "hello"u8.ToArray() });

        var result = await fetch.WaitAsync(Bound);
        Assert.Equal(0, written.Offset);
        Assert.Equal(1, result.HighWatermark);
        Assert.True(RecordBatchHeader.TryRead(result.Records.Span, out var header));
        Assert.Equal(0, header.BaseOffset);
    }

    [Fact]
    public async Task A_fetch_at_the_end_returns_empty_after_its_max_wait()
    {
        await _cluster.Client.Admin.CreateTopicAsync("quiet", 1);
        var result = await Partition("quiet", 0).Fetch(new FetchRequest(0, 1 << 20, MaxWaitMs: 50)).WaitAsync(Bound);
        Assert.True(result.Records.IsEmpty);
        Assert.Equal(0, result.HighWatermark);
    }

    [Fact]
    public async Task Unknown_topics_partitions_and_offsets_get_clear_errors()
    {
        await _cluster.Client.Admin.CreateTopicAsync("known", 2);
        var noTopic = await Assert.ThrowsAsync<HubException>(() => Partition("unknown", 0).Fetch(new FetchRequest(0, 1024)));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, noTopic.Code);
        Assert.Contains("unknown", noTopic.Message);
        var noPartition = await Assert.ThrowsAsync<HubException>(() => Partition("known", 5).GetState());
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, noPartition.Code);

        var outOfRange = await Assert.ThrowsAsync<HubException>(() => Partition("known", 0).Fetch(new FetchRequest(10, 1024)));
        Assert.Equal(ErrorCode.OffsetOutOfRange, outOfRange.Code);

        await using var producer = _cluster.Client.CreateProducer();
        var unknownProduce = await Assert.ThrowsAsync<HubException>(() =>
            producer.ProduceAsync("unknown", new ProducerRecord { Value = [1] }));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknownProduce.Code);
        Assert.False(Directory.Exists(Path.Combine(_cluster.DataDirectory, "logs", "unknown-0")));
    }

    [Fact]
    public async Task Oversized_and_corrupt_batches_are_rejected_and_nothing_is_written()
    {
        await _cluster.Client.Admin.CreateTopicAsync("strict", 1, new Dictionary<string, string> { ["max.message.bytes"] = "1000" });
        await using var producer = _cluster.Client.CreateProducer();
        await producer.ProduceAsync("strict", new ProducerRecord { Value = new byte[10] });

        var tooLarge = await Assert.ThrowsAsync<HubException>(() => producer.ProduceAsync("strict", new ProducerRecord { Value = new byte[5000] }));
        Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.Code);

        var stored = (await Partition("strict", 0).Fetch(new FetchRequest(0, 1 << 20))).Records.Memory.ToArray();
        stored[^1] ^= 0xFF;
        var corrupt = await Assert.ThrowsAsync<HubException>(() => Partition("strict", 0).Append(PooledBatches.Borrow(stored)));
        Assert.Equal(ErrorCode.CorruptMessage, corrupt.Code);

        var state = await Partition("strict", 0).GetState();
        Assert.Equal(1, state.LogEndOffset);
        Assert.Equal(stored.Length, state.SizeBytes);
    }

    [Fact]
    public async Task Lists_earliest_latest_and_by_timestamp()
    {
        await _cluster.Client.Admin.CreateTopicAsync("times", 1);
        await using (var producer = _cluster.Client.CreateProducer())
        {
            for (var i = 0; i < 10; i++) producer.Produce("times", new ProducerRecord { Value = [(byte)i], TimestampMs = Now + 1000 * (i + 1), Partition = 0 });
            await producer.FlushAsync();
        }
        var partition = Partition("times", 0);
        Assert.Equal(0, (await partition.ListOffset(OffsetSpec.Earliest)).Offset);
        Assert.Equal(10, (await partition.ListOffset(OffsetSpec.Latest)).Offset);
        Assert.Equal(new OffsetAndTimestamp(4, Now + 5000), await partition.ListOffset(Now + 4500));
        Assert.Equal(-1, (await partition.ListOffset(Now + 99_999)).Offset);
    }

    [Fact]
    public async Task Retention_deletes_old_segments_and_reads_below_the_start_are_out_of_range()
    {
        await _cluster.Client.Admin.CreateTopicAsync("short", 1, new Dictionary<string, string>
        {
            ["retention.ms"] = "60000",
            ["segment.bytes"] = "1024",
        });
        var old = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        await using (var producer = _cluster.Client.CreateProducer(new ProducerOptions { LingerMs = 0 }))
        {
            for (var i = 0; i < 20; i++) await producer.ProduceAsync("short", new ProducerRecord { Value = new byte[200], TimestampMs = old, Partition = 0 });
            await producer.ProduceAsync("short", new ProducerRecord { Value = new byte[200], Partition = 0 });
        }

        var partition = Partition("short", 0);
        using var timeout = new CancellationTokenSource(Bound);
        var state = await partition.GetState();
        while (state.LogStartOffset == 0)
        {
            // The retention timer runs every 100 ms in this cluster; poll its effect, bounded.
            await Task.Delay(50, timeout.Token);
            state = await partition.GetState();
        }

        Assert.Equal(21, state.LogEndOffset);
        Assert.True(state.LogStartOffset is > 0 and <= 20, $"log start {state.LogStartOffset}");
        var below = await Assert.ThrowsAsync<HubException>(() => partition.Fetch(new FetchRequest(0, 1024)));
        Assert.Equal(ErrorCode.OffsetOutOfRange, below.Code);
        Assert.False((await partition.Fetch(new FetchRequest(20, 1024))).Records.IsEmpty);
    }

    [Fact]
    public async Task A_deleted_and_recreated_topic_starts_empty()
    {
        await _cluster.Client.Admin.CreateTopicAsync("again", 1);
        await using var producer = _cluster.Client.CreateProducer();
        await producer.ProduceAsync("again", new ProducerRecord { Value = [1] });
        await _cluster.Client.Admin.DeleteTopicAsync("again");
        await _cluster.Client.Admin.CreateTopicAsync("again", 1);

        var state = await Partition("again", 0).GetState();
        Assert.Equal(0, state.LogEndOffset);
        Assert.Equal(0, state.SizeBytes);
    }

    [Fact]
    public async Task Topics_and_records_survive_a_cluster_restart()
    {
        await _cluster.Client.Admin.CreateTopicAsync("durable", 2, new Dictionary<string, string> { ["retention.bytes"] = "123456789" });
        await using (var producer = _cluster.Client.CreateProducer())
        {
            for (var i = 0; i < 100; i++) producer.Produce("durable", new ProducerRecord { Value = [(byte)i], Partition = i % 2 });
            await producer.FlushAsync();
        }
        var before = (await Partition("durable", 1).Fetch(new FetchRequest(0, 1 << 20))).Records.Memory.ToArray();

        _cluster = await _cluster.RestartAsync();

        var topic = await _cluster.Client.Admin.DescribeTopicAsync("durable");
        Assert.Equal(123456789, topic.Metadata.Config.RetentionBytes);
        Assert.Equal([50L, 50L], topic.Partitions.Select(p => p.LogEndOffset));
        Assert.Equal(before, (await Partition("durable", 1).Fetch(new FetchRequest(0, 1 << 20))).Records.Memory.ToArray());
    }

    [Fact]
    public async Task A_config_notice_not_newer_than_what_the_replica_holds_is_ignored()
    {
        await _cluster.Client.Admin.CreateTopicAsync("notices", 1);
        // Stands in for the controller (the call is inter-broker): version 2 lowers max.message.bytes, a late version 1 would not.
        var replica = _cluster.SiloGrains.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format("notices", 0, brokerId: 0));
        await replica.GetState(); // activated, so the one-way notices below reach an open log
        async Task<ErrorCode> AppendLargeAsync()
        {
            try
            {
                await replica.Append(PooledBatches.Borrow(Log.TestBatches.Build(Now, new string('x', 2000))));
                return ErrorCode.None;
            }
            catch (HubException e)
            {
                return e.Code;
            }
        }

        await replica.ApplyConfig(TopicConfig.Default with { MaxMessageBytes = 1000 }, version: 2);
        await replica.ApplyConfig(TopicConfig.Default, version: 1);
        await replica.ApplyConfig(TopicConfig.Default, version: 2);

        Assert.Equal(ErrorCode.MessageTooLarge, await AppendLargeAsync());
        await replica.ApplyConfig(TopicConfig.Default, version: 3);
        Assert.Equal(ErrorCode.None, await AppendLargeAsync());
    }
}
