using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>One config as CreateTopics v5+ and DescribeConfigs report it.</summary>
internal readonly record struct ConfigEntry(string Name, string Value, ConfigEntry.Source ConfigSource, ConfigEntry.Type ConfigType, bool ReadOnly = false)
{
    /// <summary>Kafka's ConfigSource codes.</summary>
    public enum Source : sbyte
    {
        DynamicTopicConfig = 1,
        StaticBrokerConfig = 4,
        DefaultConfig = 5,
    }

    /// <summary>Kafka's ConfigType codes (DescribeConfigs v3+).</summary>
    public enum Type : sbyte
    {
        Boolean = 1,
        String = 2,
        Int = 3,
        Long = 5,
        Double = 6,
        List = 7,
    }

    /// <summary>
    /// A topic's effective configs: those set on the topic (at creation or by AlterConfigs) as DYNAMIC_TOPIC_CONFIG,
    /// the others as DEFAULT_CONFIG, as Kafka reports them (admin clients tell overrides from defaults by it).
    /// </summary>
    public static IReadOnlyList<ConfigEntry> ForTopic(TopicMetadata topic)
    {
        var set = TopicConfigAlterations.SetOn(topic);
        return TopicConfigParser.Format(topic.Config)
            .Select(c => new ConfigEntry(c.Key, c.Value, set.ContainsKey(c.Key) ? Source.DynamicTopicConfig : Source.DefaultConfig, TypeOf(c.Key)))
            .ToArray();
    }

    /// <summary>The type Kafka's TopicConfig declares for <paramref name="name"/>: clients that check it (AdminClient) parse the value by it.</summary>
    private static Type TypeOf(string name) => name switch
    {
        TopicConfig.SegmentBytesKey or TopicConfig.MaxMessageBytesKey or TopicConfig.MinInSyncReplicasKey => Type.Int,
        _ when TopicConfigAlterations.IsList(name) => Type.List,
        TopicConfig.CompressionTypeKey => Type.String,
        TopicConfig.MinCleanableDirtyRatioKey => Type.Double,
        _ => Type.Long,
    };
}
