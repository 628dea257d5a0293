using Hub.Silo.Kafka.Apis.Admin;
using Hub.Topics;

namespace Hub.Tests.Kafka;

/// <summary>
/// DescribeConfigs reports each topic config with the type Kafka's own TopicConfig declares for it, and as set on the
/// topic (DYNAMIC_TOPIC_CONFIG) or a default (DEFAULT_CONFIG).
/// </summary>
public sealed class ConfigEntryTests
{
    [Fact]
    public void Each_topic_config_has_Kafkas_type()
    {
        var types = ConfigEntry.ForTopic(Topic(TopicConfig.Default, [])).ToDictionary(e => e.Name, e => e.ConfigType);

        Assert.Equal(new Dictionary<string, ConfigEntry.Type>
        {
            [TopicConfig.RetentionMsKey] = ConfigEntry.Type.Long,
            [TopicConfig.RetentionBytesKey] = ConfigEntry.Type.Long,
            [TopicConfig.SegmentBytesKey] = ConfigEntry.Type.Int,
            [TopicConfig.SegmentMsKey] = ConfigEntry.Type.Long,
            [TopicConfig.MaxMessageBytesKey] = ConfigEntry.Type.Int,
            [TopicConfig.CleanupPolicyKey] = ConfigEntry.Type.List,
            [TopicConfig.FlushMessagesKey] = ConfigEntry.Type.Long,
            [TopicConfig.FlushMsKey] = ConfigEntry.Type.Long,
            [TopicConfig.MinInSyncReplicasKey] = ConfigEntry.Type.Int,
            [TopicConfig.CompressionTypeKey] = ConfigEntry.Type.String,
            [TopicConfig.MinCleanableDirtyRatioKey] = ConfigEntry.Type.Double,
            [TopicConfig.MinCompactionLagMsKey] = ConfigEntry.Type.Long,
            [TopicConfig.MaxCompactionLagMsKey] = ConfigEntry.Type.Long,
            [TopicConfig.DeleteRetentionMsKey] = ConfigEntry.Type.Long,
        }, types);
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
