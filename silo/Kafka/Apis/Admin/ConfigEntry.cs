using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>One config as CreateTopics v5+ and DescribeConfigs report it.</summary>
internal readonly record struct ConfigEntry(string Name, string Value, ConfigEntry.Source ConfigSource, KafkaConfigType ConfigType, bool ReadOnly = false)
{
    /// <summary>Kafka's ConfigSource codes.</summary>
    public enum Source : sbyte
    {
        DynamicTopicConfig = 1,
        StaticBrokerConfig = 4,
        DefaultConfig = 5,
    }

    /// <summary>One of a config's synonyms (DescribeConfigs v1+ when asked): where else its value could come from, in precedence order.</summary>
    public readonly record struct Synonym(string Name, string Value, Source ConfigSource);

    /// <summary>
    /// DescribeConfigs' synonyms: the topic's own setting when set, then the broker config Kafka takes the default
    /// from, at Hub's default (a silo has no broker-level overrides of topic configs).
    /// </summary>
    public IReadOnlyList<Synonym> Synonyms { get; init; } = [];

    /// <summary>
    /// A topic's configs, every one Kafka knows (<see cref="KafkaTopicConfigs"/>): those set on the topic (at creation
    /// or by AlterConfigs) as DYNAMIC_TOPIC_CONFIG, the others at their default as DEFAULT_CONFIG, as Kafka reports
    /// them (admin clients tell overrides from defaults by it).
    /// </summary>
    public static IReadOnlyList<ConfigEntry> ForTopic(TopicMetadata topic)
    {
        var set = TopicConfigAlterations.SetOn(topic);
        return KafkaTopicConfigs.All.Select(definition =>
        {
            Synonym? broker = definition.BrokerSynonym is { } name ? new Synonym(name, definition.Default, Source.DefaultConfig) : null;
            if (!set.TryGetValue(definition.Name, out var value))
                return new ConfigEntry(definition.Name, definition.Default, Source.DefaultConfig, definition.Type) { Synonyms = broker is { } b ? [b] : [] };
            var canonical = definition.Canonical(value);
            Synonym own = new(definition.Name, canonical, Source.DynamicTopicConfig);
            return new ConfigEntry(definition.Name, canonical, Source.DynamicTopicConfig, definition.Type) { Synonyms = broker is { } s ? [own, s] : [own] };
        }).ToArray();
    }
}
