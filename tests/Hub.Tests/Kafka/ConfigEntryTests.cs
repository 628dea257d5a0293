using Hub.Silo.Kafka.Apis.Admin;
using Hub.Silo.Topics;
using Hub.Tests.Topics;
using Hub.Topics;

namespace Hub.Tests.Kafka;

/// <summary>
/// DescribeConfigs reports every topic config Kafka knows with the type Kafka's own TopicConfig declares for it, as set
/// on the topic (DYNAMIC_TOPIC_CONFIG) or a default (DEFAULT_CONFIG), and its synonyms.
/// </summary>
public sealed class ConfigEntryTests
{
    [Fact]
    public void Every_Kafka_topic_config_is_listed_with_Kafkas_type()
    {
        var types = ConfigEntry.ForTopic(Topic(TopicConfig.Default, [])).ToDictionary(e => e.Name, e => e.ConfigType);

        Assert.Equal(KafkaTopicConfigsTests.KafkaConfigs, types);
    }

    [Fact]
    public void Synonyms_are_the_topics_own_setting_then_the_broker_config_at_its_default()
    {
        var set = new Dictionary<string, string> { [TopicConfig.RetentionMsKey] = " 60000" };
        var entries = ConfigEntry.ForTopic(Topic(TopicConfig.Default with { RetentionMs = 60000 }, set)).ToDictionary(e => e.Name);

        Assert.Equal("60000", entries[TopicConfig.RetentionMsKey].Value);
        Assert.Equal(
            [new("retention.ms", "60000", ConfigEntry.Source.DynamicTopicConfig), new("log.retention.ms", "604800000", ConfigEntry.Source.DefaultConfig)],
            entries[TopicConfig.RetentionMsKey].Synonyms);
        Assert.Equal([new ConfigEntry.Synonym("log.message.timestamp.type", "CreateTime", ConfigEntry.Source.DefaultConfig)],
            entries[TopicConfig.MessageTimestampTypeKey].Synonyms);
        Assert.Empty(entries["leader.replication.throttled.replicas"].Synonyms); // a topic-only config
    }

    [Fact]
    public void Configs_set_on_the_topic_are_dynamic_even_at_their_default_value_and_the_others_default()
    {
        var set = new Dictionary<string, string> { [TopicConfig.RetentionMsKey] = "60000", [TopicConfig.FlushMsKey] = "100" };
        var sources = ConfigEntry.ForTopic(Topic(TopicConfig.Default with { RetentionMs = 60000 }, set)).ToDictionary(e => e.Name, e => e.ConfigSource);

        Assert.Equal(ConfigEntry.Source.DynamicTopicConfig, sources[TopicConfig.RetentionMsKey]);
        Assert.Equal(ConfigEntry.Source.DynamicTopicConfig, sources[TopicConfig.FlushMsKey]);
        Assert.All(sources.Where(s => !set.ContainsKey(s.Key)), s => Assert.Equal(ConfigEntry.Source.DefaultConfig, s.Value));
    }

    private static TopicMetadata Topic(TopicConfig config, Dictionary<string, string> set) =>
        new("t", Guid.NewGuid(), config, DateTimeOffset.UnixEpoch, [new PartitionAssignment(0, 0, 0, [0])]) { SetConfigs = set };
}
