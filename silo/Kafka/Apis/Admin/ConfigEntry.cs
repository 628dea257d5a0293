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
    /// A topic's effective configs. The metadata keeps values, not where they came from, so a value equal to
    /// Hub's default is reported as a default and any other as set on the topic.
    /// </summary>
    public static IReadOnlyList<ConfigEntry> ForTopic(TopicConfig config)
    {
        var defaults = TopicConfigParser.Format(TopicConfig.Default);
        return TopicConfigParser.Format(config)
            .Select(c => new ConfigEntry(c.Key, c.Value,
                defaults.TryGetValue(c.Key, out var d) && d == c.Value ? Source.DefaultConfig : Source.DynamicTopicConfig,
                TypeOf(c.Key)))
            .ToArray();
    }

    /// <summary>The type Kafka's TopicConfig declares for <paramref name="name"/>: clients that check it (AdminClient) parse the value by it.</summary>
    private static Type TypeOf(string name) => name switch
    {
        TopicConfig.SegmentBytesKey or TopicConfig.MaxMessageBytesKey or TopicConfig.MinInSyncReplicasKey => Type.Int,
        TopicConfig.CleanupPolicyKey => Type.List,
        TopicConfig.CompressionTypeKey => Type.String,
        TopicConfig.MinCleanableDirtyRatioKey => Type.Double,
        _ => Type.Long,
    };
}
