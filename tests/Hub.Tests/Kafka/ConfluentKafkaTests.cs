using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Batches;
using CompressionType = Confluent.Kafka.CompressionType;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;
using StoredCompression = Hub.Batches.CompressionType;
using Hub.Client.Partitioning;
using Hub.Grains;
using Hub.Partitions;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>Confluent.Kafka (librdkafka, which nobody here wrote) against the silo's Kafka listener.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ConfluentKafkaTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Admin_creates_grows_describes_and_deletes_topics()
    {
        var topic = KafkaCluster.NewTopic("admin");
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic, NumPartitions = 3, ReplicationFactor = 1,
            Configs = new() { ["retention.ms"] = "3600000" },
        }]);

        var metadata = admin.GetMetadata(topic, Timeout).Topics.Single();
        Assert.Equal(KafkaErrorCode.NoError, metadata.Error.Code);
        Assert.Equal([0, 1, 2], metadata.Partitions.Select(p => p.PartitionId).Order());
        Assert.All(metadata.Partitions, p => Assert.Equal(0, p.Leader));

        var configs = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }])).Single();
        Assert.Equal("3600000", configs.Entries["retention.ms"].Value);
        Assert.Equal("delete", configs.Entries["cleanup.policy"].Value);
        Assert.True(configs.Entries["cleanup.policy"].IsDefault);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 5 }]);
        Assert.Equal(5, admin.GetMetadata(topic, Timeout).Topics.Single().Partitions.Count);

        var duplicate = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]));
        Assert.Equal(KafkaErrorCode.TopicAlreadyExists, duplicate.Results.Single().Error.Code);
        var replicated = await Assert.ThrowsAsync<CreateTopicsException>(() =>
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic + "-rf", NumPartitions = 1, ReplicationFactor = 3 }]));
        Assert.Equal(KafkaErrorCode.InvalidReplicationFactor, replicated.Results.Single().Error.Code);

        await admin.DeleteTopicsAsync([topic]);
        Assert.DoesNotContain(topic, admin.GetMetadata(Timeout).Topics.Select(t => t.Topic));
        var unknown = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync([topic]));
        Assert.Equal(KafkaErrorCode.UnknownTopicOrPart, unknown.Results.Single().Error.Code);
    }

    [Fact]
    public async Task Admin_creates_a_topic_with_a_manual_replica_assignment_and_refuses_one_naming_an_unknown_broker()
    {
        var topic = KafkaCluster.NewTopic("assigned");
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic, NumPartitions = 2, ReplicationFactor = -1, // librdkafka wants the count here, and sends -1 for both
            ReplicasAssignments = new() { [0] = [0], [1] = [0] },
        }]);
        var metadata = admin.GetMetadata(topic, Timeout).Topics.Single();
        Assert.Equal([(0, 0), (1, 0)], metadata.Partitions.Select(p => (p.PartitionId, p.Leader)).Order());

        var refused = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic + "-unknown", NumPartitions = 2, ReplicationFactor = -1,
            ReplicasAssignments = new() { [0] = [0], [1] = [7] },
        }]));
        Assert.Equal(KafkaErrorCode.InvalidReplicaAssignment, refused.Results.Single().Error.Code);
    }

    [Fact]
    public async Task Admin_grows_a_topic_with_a_manual_assignment_of_the_new_partitions_checked_as_Kafka_checks_it()
    {
        var topic = await CreateTopicAsync("grow-assigned", partitions: 1);
        using var admin = Admin();
        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 3, ReplicaAssignments = [[0], [0]] }]);
        Assert.Equal([(0, 0), (1, 0), (2, 0)], admin.GetMetadata(topic, Timeout).Topics.Single().Partitions.Select(p => (p.PartitionId, p.Leader)).Order());

        async Task<KafkaErrorCode> Refusal(int increaseTo, List<List<int>> assignment) =>
            (await Assert.ThrowsAsync<CreatePartitionsException>(() =>
                admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = increaseTo, ReplicaAssignments = assignment }])))
            .Results.Single().Error.Code;
        Assert.Equal(KafkaErrorCode.InvalidReplicaAssignment, await Refusal(5, [[0]]));        // one set for two new partitions
        Assert.Equal(KafkaErrorCode.InvalidReplicaAssignment, await Refusal(4, [[7]]));        // no broker 7
        Assert.Equal(KafkaErrorCode.InvalidReplicaAssignment, await Refusal(4, [[0, 0]]));     // not the topic's replication factor (and twice)
        Assert.Equal(3, admin.GetMetadata(topic, Timeout).Topics.Single().Partitions.Count);
    }

    [Fact]
    public async Task Records_round_trip_with_keys_headers_null_keys_and_null_values()
    {
        var topic = await CreateTopicAsync("roundtrip", partitions: 1);
        using (var producer = Producer<byte[]?, byte[]?>())
        {
            var headers = new Headers { { "trace", "t-1"u8.ToArray() }, { "empty", [] } };
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = "k1"u8.ToArray(), Value = "v1"u8.ToArray(), Headers = headers });
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = null, Value = "no key"u8.ToArray() });
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = "tombstone"u8.ToArray(), Value = null });
            await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Key = [], Value = [] });
        }

        var records = Consume(topic, 4);
        Assert.Equal([0L, 1, 2, 3], records.Select(r => r.Offset.Value));
        Assert.Equal("k1"u8.ToArray(), records[0].Message.Key);
        Assert.Equal("v1"u8.ToArray(), records[0].Message.Value);
        Assert.Equal(["trace", "empty"], records[0].Message.Headers.Select(h => h.Key));
        Assert.Equal("t-1"u8.ToArray(), records[0].Message.Headers.GetLastBytes("trace"));
        Assert.Null(records[1].Message.Key);
        Assert.Equal("no key"u8.ToArray(), records[1].Message.Value);
        Assert.Null(records[2].Message.Value);
        Assert.Empty(records[3].Message.Key!);
        Assert.Empty(records[3].Message.Value!);
    }

    [Fact]
    public async Task Keyed_records_land_on_kafkas_murmur2_partition()
    {
        const int partitions = 6;
        var topic = await CreateTopicAsync("keyed", partitions);
        var keys = Enumerable.Range(0, 40).Select(i => $"customer-{i}").ToArray();
        using (var producer = Producer<string, string>(c => c.Partitioner = Partitioner.Murmur2Random))
        {
            var deliveries = await Task.WhenAll(keys.Select(k => producer.ProduceAsync(topic, new Message<string, string> { Key = k, Value = k })));
            foreach (var delivery in deliveries)
                Assert.Equal(KeyPartitioner.PartitionFor(Encoding.UTF8.GetBytes(delivery.Message.Key), partitions), delivery.Partition.Value);
        }
        var consumed = Consume(topic, keys.Length);
        foreach (var record in consumed)
            Assert.Equal(KeyPartitioner.PartitionFor(record.Message.Key!, partitions), record.Partition.Value);
    }

    [Fact]
    public async Task Earliest_latest_and_by_timestamp_offsets()
    {
        var topic = await CreateTopicAsync("offsets", partitions: 1);
        const long baseTime = 1_700_000_000_000;
        using (var producer = Producer<byte[]?, byte[]?>())
        {
            for (var i = 0; i < 10; i++)
                await producer.ProduceAsync(topic, new Message<byte[]?, byte[]?>
                {
                    Value = [(byte)i], Timestamp = new Timestamp(baseTime + i * 1000, TimestampType.CreateTime),
                });
        }
        using var consumer = Consumer();
        var partition = new TopicPartition(topic, 0);
        var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(10, watermarks.High.Value);

        var byTime = consumer.OffsetsForTimes(
            [new TopicPartitionTimestamp(partition, new Timestamp(baseTime + 4500, TimestampType.CreateTime))], Timeout);
        Assert.Equal(5, byTime.Single().Offset.Value);
        var exact = consumer.OffsetsForTimes(
            [new TopicPartitionTimestamp(partition, new Timestamp(baseTime + 2000, TimestampType.CreateTime))], Timeout);
        Assert.Equal(2, exact.Single().Offset.Value);
        var afterAll = consumer.OffsetsForTimes(
            [new TopicPartitionTimestamp(partition, new Timestamp(baseTime + 60_000, TimestampType.CreateTime))], Timeout);
        Assert.Equal(Offset.End, afterAll.Single().Offset);

        // ListOffsets v7's MAX_TIMESTAMP (KIP-734), which librdkafka's admin client sends.
        using var admin = Admin();
        var max = (await admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = partition, OffsetSpec = Confluent.Kafka.Admin.OffsetSpec.MaxTimestamp() }]))
            .ResultInfos.Single();
        Assert.Equal((9L, baseTime + 9000), (max.TopicPartitionOffsetError.Offset.Value, max.Timestamp));

        consumer.Assign(new TopicPartitionOffset(partition, Offset.End));
        Assert.Null(consumer.Consume(TimeSpan.FromMilliseconds(500)));
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        Assert.Equal(0, ConsumeOne(consumer).Offset.Value);
        Assert.Equal(baseTime, ConsumeOne(consumer).Message.Timestamp.UnixTimestampMs - 1000);
    }

    [Theory]
    [InlineData(Acks.None)]
    [InlineData(Acks.Leader)]
    [InlineData(Acks.All)]
    public async Task Every_acks_setting_stores_the_records(Acks acks)
    {
        var topic = await CreateTopicAsync($"acks{(int)acks}", partitions: 2);
        using (var producer = Producer<string, string>(c => c.Acks = acks))
        {
            for (var i = 0; i < 20; i++) producer.Produce(topic, new Message<string, string> { Key = $"{i}", Value = $"value-{i}" });
            Assert.Equal(0, producer.Flush(Timeout));
        }
        var values = Consume(topic, 20).Select(r => Encoding.UTF8.GetString(r.Message.Value!)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"value-{i}").Order(), values);
    }

    [Theory]
    [InlineData(CompressionType.Gzip, StoredCompression.Gzip)]
    [InlineData(CompressionType.Snappy, StoredCompression.Snappy)]
    [InlineData(CompressionType.Lz4, StoredCompression.Lz4)]
    [InlineData(CompressionType.Zstd, StoredCompression.Zstd)]
    public async Task Compressed_batches_round_trip_and_are_stored_compressed(CompressionType codec, StoredCompression stored)
    {
        var topic = await CreateTopicAsync($"codec-{codec}".ToLowerInvariant(), partitions: 1);
        var values = Enumerable.Range(0, 50).Select(i => $"record {i} " + new string('x', 100)).ToArray();
        using (var producer = Producer<Null, string>(c => { c.CompressionType = codec; c.LingerMs = 50; }))
        {
            foreach (var value in values) producer.Produce(topic, new Message<Null, string> { Value = value });
            Assert.Equal(0, producer.Flush(Timeout));
        }
        Assert.Equal(values, Consume(topic, values.Length).Select(r => Encoding.UTF8.GetString(r.Message.Value!)));

        // librdkafka sends a batch uncompressed when compressing doesn't make it smaller (a lone first record).
        var codecs = await kafka.StoredCompressionAsync(topic);
        Assert.Contains(stored, codecs);
        Assert.All(codecs, c => Assert.True(c == stored || c == StoredCompression.None));
        Assert.Equal(values, await SdkValues.ReadAsync(kafka.Cluster.Client, topic, values.Length, Timeout));
    }

    [Theory]
    [InlineData(StoredCompression.Gzip)]
    [InlineData(StoredCompression.Snappy)]
    [InlineData(StoredCompression.Lz4)]
    [InlineData(StoredCompression.Zstd)]
    public async Task The_SDK_producers_compressed_batches_are_read_by_librdkafka(StoredCompression codec)
    {
        var topic = await CreateTopicAsync($"sdk-{codec}".ToLowerInvariant(), partitions: 1);
        var values = Enumerable.Range(0, 50).Select(i => $"sdk record {i} " + new string('y', 100)).ToArray();
        await using (var producer = kafka.Cluster.Client.CreateProducer(new Hub.Client.ProducerOptions { CompressionType = codec, LingerMs = 20 }))
        {
            foreach (var value in values) producer.Produce(topic, new Hub.Client.ProducerRecord { Value = Encoding.UTF8.GetBytes(value) });
        }

        Assert.Equal([codec], (await kafka.StoredCompressionAsync(topic)).Distinct());
        Assert.Equal(values, Consume(topic, values.Length).Select(r => Encoding.UTF8.GetString(r.Message.Value!)));
    }

    [Fact]
    public async Task A_topics_compression_type_has_the_leader_recompress_what_producers_send()
    {
        var topic = KafkaCluster.NewTopic("recompress");
        using (var admin = Admin())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["compression.type"] = "lz4" },
            }]);
            var configs = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }])).Single();
            Assert.Equal("lz4", configs.Entries["compression.type"].Value);
            Assert.False(configs.Entries["compression.type"].IsDefault);
        }
        var values = Enumerable.Range(0, 30).Select(i => $"recompressed {i} " + new string('z', 60)).ToArray();
        using (var producer = Producer<Null, string>(c => { c.CompressionType = CompressionType.Gzip; c.LingerMs = 20; }))
        {
            foreach (var value in values[..20]) producer.Produce(topic, new Message<Null, string> { Value = value });
            Assert.Equal(0, producer.Flush(Timeout));
        }
        await using (var producer = kafka.Cluster.Client.CreateProducer(new Hub.Client.ProducerOptions { CompressionType = StoredCompression.Zstd }))
        {
            foreach (var value in values[20..]) producer.Produce(topic, new Hub.Client.ProducerRecord { Value = Encoding.UTF8.GetBytes(value) });
        }

        Assert.Equal([StoredCompression.Lz4], (await kafka.StoredCompressionAsync(topic)).Distinct());
        Assert.Equal(values, Consume(topic, values.Length).Select(r => Encoding.UTF8.GetString(r.Message.Value!)));
        Assert.Equal(values, await SdkValues.ReadAsync(kafka.Cluster.Client, topic, values.Length, Timeout));
    }

    [Fact]
    public async Task An_idempotent_producer_gets_a_producer_id_and_writes()
    {
        var topic = await CreateTopicAsync("idempotent", partitions: 1);
        using (var producer = Producer<Null, string>(c => c.EnableIdempotence = true))
        {
            for (var i = 0; i < 10; i++) producer.Produce(topic, new Message<Null, string> { Value = $"{i}" });
            Assert.Equal(0, producer.Flush(Timeout));
        }
        var records = Consume(topic, 10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i}"), records.Select(r => Encoding.UTF8.GetString(r.Message.Value!)));

        var header = (await kafka.StoredBatchesAsync(topic)).First();
        Assert.True(header.ProducerId >= 0);
        Assert.Equal(0, header.BaseSequence);
    }

    [Fact]
    public async Task Producing_to_an_unknown_topic_fails_without_creating_it()
    {
        var topic = KafkaCluster.NewTopic("missing");
        using var producer = Producer<Null, string>(c => c.MessageTimeoutMs = 2000);
        var error = await Assert.ThrowsAsync<ProduceException<Null, string>>(() =>
            producer.ProduceAsync(topic, new Message<Null, string> { Value = "x" }));
        Assert.Contains(error.Error.Code, new[] { KafkaErrorCode.UnknownTopicOrPart, KafkaErrorCode.Local_UnknownTopic, KafkaErrorCode.Local_MsgTimedOut });
        Assert.Null(await kafka.Cluster.Grains.GetGrain<IClusterControllerGrain>(0).GetTopic(topic));
    }

    private async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        return topic;
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();

    private IProducer<TKey, TValue> Producer<TKey, TValue>(Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig { BootstrapServers = kafka.Bootstrap, LingerMs = 5, MessageTimeoutMs = 15000 };
        configure?.Invoke(config);
        return new ProducerBuilder<TKey, TValue>(config).Build();
    }

    /// <summary>
    /// A consumer that assigns partitions by hand and commits nothing: Confluent.Kafka insists on a group id,
    /// but without subscribe or commit the group is never used (group behaviour is tested in ConfluentKafkaGroupTests).
    /// </summary>
    private IConsumer<byte[]?, byte[]?> Consumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = kafka.Bootstrap,
            GroupId = "unused",
            EnableAutoCommit = false,
            EnablePartitionEof = false,
        }).Build();

    /// <summary>The first <paramref name="count"/> records of every partition of the topic, from the beginning.</summary>
    private List<ConsumeResult<byte[]?, byte[]?>> Consume(string topic, int count)
    {
        using var consumer = Consumer();
        using var admin = Admin();
        var partitions = admin.GetMetadata(topic, Timeout).Topics.Single().Partitions;
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p.PartitionId, Offset.Beginning)));
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        while (records.Count < count) records.Add(ConsumeOne(consumer));
        return records;
    }

    private static ConsumeResult<byte[]?, byte[]?> ConsumeOne(IConsumer<byte[]?, byte[]?> consumer) =>
        consumer.Consume(Timeout) ?? throw new TimeoutException("no record within the timeout");
}
