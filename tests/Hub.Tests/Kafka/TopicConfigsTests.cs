using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Tests.Topics;
using KafkaErrorCode = Confluent.Kafka.ErrorCode;

namespace Hub.Tests.Kafka;

/// <summary>
/// Every topic config Kafka knows, through Confluent.Kafka's AdminClient: CreateTopics takes them all at once,
/// DescribeConfigs lists each with its value, source and synonyms, a bad value is INVALID_CONFIG for its topic
/// alone, and a config Hub only stores can be altered like any other.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class TopicConfigsTests(KafkaCluster kafka)
{
    [Fact]
    public async Task CreateTopics_takes_every_Kafka_topic_config_and_DescribeConfigs_lists_each_as_set()
    {
        var topic = KafkaCluster.NewTopic("all-configs");
        using var admin = Admin();

        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = KafkaTopicConfigsTests.ValidValues }]);

        var described = await DescribeAsync(admin, topic);
        Assert.Equal(KafkaTopicConfigsTests.KafkaConfigs.Keys.Order(), described.Keys.Order());
        Assert.All(KafkaTopicConfigsTests.ValidValues, c =>
        {
            Assert.Equal(c.Value, described[c.Key].Value);
            Assert.Equal(ConfigSource.DynamicTopicConfig, described[c.Key].Source);
            Assert.False(described[c.Key].IsReadOnly || described[c.Key].IsSensitive);
        });
        var retention = described["retention.ms"].Synonyms.Select(s => (s.Name, s.Value, s.Source));
        Assert.Equal([("retention.ms", "-1", ConfigSource.DynamicTopicConfig), ("log.retention.ms", "604800000", ConfigSource.DefaultConfig)], retention);
    }

    [Fact]
    public async Task Unset_configs_are_described_at_their_default()
    {
        var topic = KafkaCluster.NewTopic("defaults");
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);

        var described = await DescribeAsync(admin, topic);

        Assert.All(described.Values, c => Assert.Equal(ConfigSource.DefaultConfig, c.Source));
        Assert.Equal("CreateTime", described["message.timestamp.type"].Value);
        Assert.Equal("false", described["unclean.leader.election.enable"].Value);
        Assert.Equal("4096", described["index.interval.bytes"].Value);
        Assert.Equal("-2", described["local.retention.ms"].Value);
    }

    [Fact]
    public async Task A_bad_value_is_invalid_config_for_its_topic_alone()
    {
        var good = KafkaCluster.NewTopic("good");
        var bad = new[] { ("message.timestamp.type", "WallClock"), ("compression.zstd.level", "99"), ("unclean.leader.election.enable", "maybe"), ("no.such.config", "1") }
            .Select(c => (Topic: KafkaCluster.NewTopic("bad"), Config: c)).ToArray();
        using var admin = Admin();

        var failed = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            bad.Select(b => new TopicSpecification { Name = b.Topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { [b.Config.Item1] = b.Config.Item2 } })
                .Append(new TopicSpecification { Name = good, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["preallocate"] = "true" } })));

        var results = failed.Results.ToDictionary(r => r.Topic, r => r.Error);
        Assert.Equal(KafkaErrorCode.NoError, results[good].Code);
        Assert.All(bad, b =>
        {
            Assert.Equal(KafkaErrorCode.InvalidConfig, results[b.Topic].Code);
            Assert.Contains(b.Config.Item1, results[b.Topic].Reason);
        });
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToHashSet();
        Assert.Contains(good, metadata);
        Assert.DoesNotContain(bad[0].Topic, metadata);
    }

    [Fact]
    public async Task A_stored_only_config_is_altered_and_deleted_like_any_other()
    {
        var topic = KafkaCluster.NewTopic("stored");
        using var admin = Admin();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };

        await admin.IncrementalAlterConfigsAsync(new()
        {
            [resource] = [Op("segment.jitter.ms", AlterConfigOpType.Set, "1000"), Op("leader.replication.throttled.replicas", AlterConfigOpType.Append, "0:0")],
        });
        var altered = await DescribeAsync(admin, topic);
        Assert.Equal(("1000", ConfigSource.DynamicTopicConfig), (altered["segment.jitter.ms"].Value, altered["segment.jitter.ms"].Source));
        Assert.Equal("0:0", altered["leader.replication.throttled.replicas"].Value);

        var refused = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new()
        {
            [resource] = [Op("segment.jitter.ms", AlterConfigOpType.Set, "-5")],
        }));
        Assert.Equal(KafkaErrorCode.InvalidConfig, refused.Results.Single().Error.Code);

        await admin.IncrementalAlterConfigsAsync(new() { [resource] = [Op("segment.jitter.ms", AlterConfigOpType.Delete)] });
        Assert.Equal(("0", ConfigSource.DefaultConfig), ((await DescribeAsync(admin, topic))["segment.jitter.ms"].Value, (await DescribeAsync(admin, topic))["segment.jitter.ms"].Source));
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();

    private static Confluent.Kafka.Admin.ConfigEntry Op(string name, AlterConfigOpType operation, string? value = null) =>
        new() { Name = name, Value = value, IncrementalOperation = operation };

    private static async Task<Dictionary<string, ConfigEntryResult>> DescribeAsync(IAdminClient admin, string topic) =>
        (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = topic }]))
            .Single().Entries;
}
