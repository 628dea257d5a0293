using Hub.Errors;

namespace Hub.Topics;

/// <summary>What one <see cref="TopicConfigAlteration"/> does to a config (Kafka's IncrementalAlterConfigs op codes).</summary>
public enum TopicConfigOperation : sbyte
{
    /// <summary>Sets the config on the topic.</summary>
    Set = 0,

    /// <summary>Removes it from the topic: it takes its default again.</summary>
    Delete = 1,

    /// <summary>Adds comma-separated items to a list config (cleanup.policy) that it lacks.</summary>
    Append = 2,

    /// <summary>Removes comma-separated items from a list config.</summary>
    Subtract = 3,
}

/// <summary>One config of a <see cref="TopicConfigChange"/>, under Kafka's name; <see cref="Value"/> is null for <see cref="TopicConfigOperation.Delete"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record TopicConfigAlteration([property: Id(0)] string Name, [property: Id(1)] TopicConfigOperation Operation, [property: Id(2)] string? Value = null);

/// <summary>
/// A change to one topic's configs, all or nothing. With <see cref="ReplacesAll"/> (Kafka's AlterConfigs) the
/// alterations, all sets, are the topic's whole set: every config they do not name goes back to its default;
/// without it (IncrementalAlterConfigs) only the configs named change.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicConfigChange(
    [property: Id(0)] string Topic,
    [property: Id(1)] IReadOnlyList<TopicConfigAlteration> Alterations,
    [property: Id(2)] bool ReplacesAll = false);

/// <summary>The outcome of one <see cref="TopicConfigChange"/>: <see cref="ErrorCode.None"/> or why nothing changed.</summary>
[GenerateSerializer, Immutable]
public sealed record TopicConfigChangeResult([property: Id(0)] string Topic, [property: Id(1)] ErrorCode Error, [property: Id(2)] string? Message);
