namespace Hub.Silo.Topics;

/// <summary>
/// One topic config Kafka knows (<see cref="KafkaTopicConfigs"/>): its Kafka type, the value a topic has when it is
/// not set, the rule a value must follow, and the broker config Kafka takes the default from (reported as its
/// synonym). <see cref="Honoured"/> says whether Hub acts on it or only stores it.
/// </summary>
internal sealed record TopicConfigDefinition(
    string Name,
    KafkaConfigType Type,
    string Default,
    TopicConfigValues.Rule Rule,
    bool Honoured,
    string? BrokerSynonym = null)
{
    /// <summary>The canonical form of <paramref name="value"/>; INVALID_CONFIG when it breaks the rule.</summary>
    public string Canonical(string value) => Rule(Name, value);
}
