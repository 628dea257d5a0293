using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Hub.Tests.Kafka;

/// <summary>
/// message.timestamp.type and the timestamp bounds seen from Confluent.Kafka: on a LogAppendTime topic the producer's
/// delivery report and the consumer both see the leader's append time as a LogAppendTime timestamp, until
/// AlterConfigs sets CreateTime again; on a CreateTime topic a record older than message.timestamp.before.max.ms is
/// refused with INVALID_TIMESTAMP.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class MessageTimestampTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly Timestamp LongAgo = new(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    [Fact]
    public async Task A_LogAppendTime_topic_gives_producer_and_consumer_the_append_time_until_altered_back()
    {
        var topic = await CreateTopicAsync("append-time", new() { ["message.timestamp.type"] = "LogAppendTime" });
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap, MessageTimeoutMs = 15000 }).Build();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var stamped = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "stamped", Timestamp = LongAgo });

        Assert.Equal(TimestampType.LogAppendTime, stamped.Timestamp.Type);
        Assert.InRange(stamped.Timestamp.UnixTimestampMs, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        using (var admin = Admin())
        {
            await admin.IncrementalAlterConfigsAsync(new()
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = topic }] =
                    [new ConfigEntry { Name = "message.timestamp.type", Value = "CreateTime", IncrementalOperation = AlterConfigOpType.Set }],
            });
        }
        // The controller answers once the change is stored and tells the replicas after: the leader takes it shortly.
        DeliveryResult<Null, string> kept;
        var deadline = DateTime.UtcNow + Timeout;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, $"still LogAppendTime {Timeout.TotalSeconds} s after the change");
            kept = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "kept", Timestamp = LongAgo });
        }
        while (kept.Timestamp.Type != TimestampType.CreateTime);

        var consumed = Consume(topic, (int)kept.Offset.Value + 1);
        Assert.Equal(("stamped", TimestampType.LogAppendTime, stamped.Timestamp.UnixTimestampMs),
            (consumed[0].Message.Value, consumed[0].Message.Timestamp.Type, consumed[0].Message.Timestamp.UnixTimestampMs));
        Assert.Equal(("kept", TimestampType.CreateTime, LongAgo.UnixTimestampMs),
            (consumed[^1].Message.Value, consumed[^1].Message.Timestamp.Type, consumed[^1].Message.Timestamp.UnixTimestampMs));
    }

    [Fact]
    public async Task A_record_older_than_before_max_ms_is_refused_with_invalid_timestamp()
    {
        var topic = await CreateTopicAsync("bounded", new() { ["message.timestamp.before.max.ms"] = "3600000" });
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap, MessageTimeoutMs = 15000 }).Build();

        var refused = await Assert.ThrowsAsync<ProduceException<Null, string>>(() =>
            producer.ProduceAsync(topic, new Message<Null, string> { Value = "old", Timestamp = LongAgo }));
        var accepted = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "now" });

        Assert.Equal(KafkaErrorCode.InvalidTimestamp, refused.Error.Code);
        Assert.Equal((PersistenceStatus.Persisted, 0L), (accepted.Status, accepted.Offset.Value));
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();

    private async Task<string> CreateTopicAsync(string prefix, Dictionary<string, string> configs)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = configs }]);
        return topic;
    }

    /// <summary>The first <paramref name="count"/> records of partition 0; fails after <see cref="Timeout"/>.</summary>
    private List<ConsumeResult<Ignore, string>> Consume(string topic, int count)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.Bootstrap,
            GroupId = "unused",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var deadline = DateTime.UtcNow + Timeout;
        var records = new List<ConsumeResult<Ignore, string>>();
        while (records.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {records.Count} of {count} records within {Timeout.TotalSeconds} s");
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } record) records.Add(record);
        }
        return records;
    }
}
