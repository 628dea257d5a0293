using Hub.Silo.Kafka.Apis.Admin;
using Hub.Topics;

namespace Hub.Tests.Kafka;

/// <summary>DescribeConfigs reports each topic config with the type Kafka's own TopicConfig declares for it.</summary>
public sealed class ConfigEntryTests
{
    [Fact]
    public void Each_topic_config_has_Kafkas_type()
    {
        var types = ConfigEntry.ForTopic(TopicConfig.Default).ToDictionary(e => e.Name, e => e.ConfigType);

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
}
