using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Topics;

/// <summary>
/// Kafka's rules for changing a topic's configs after creation, on the set of configs set on the topic (the others
/// have their defaults): SET and DELETE (back to the default) for any config, APPEND and SUBTRACT for list configs,
/// starting from the default when the config is not set, as Kafka's controller does. A change is checked whole before
/// it counts: a config named twice or a missing value is INVALID_REQUEST; an unknown config, a value out of range or
/// APPEND to a config that isn't a list is INVALID_CONFIG. Deleting a config that isn't set is no change, as in Kafka.
/// </summary>
internal static class TopicConfigAlterations
{
    /// <summary>Separates the items of a list config's value.</summary>
    private const char ListSeparator = ',';

    /// <summary>Whether Kafka declares the config a list (APPEND and SUBTRACT work on it).</summary>
    public static bool IsList(string name) => KafkaTopicConfigs.Get(name).Type == KafkaConfigType.List;

    /// <summary>The configs set on <paramref name="topic"/>; for one stored before they were kept, its values that differ from the defaults.</summary>
    public static IReadOnlyDictionary<string, string> SetOn(TopicMetadata topic)
    {
        if (topic.SetConfigs is { } set) return set;
        var defaults = TopicConfigParser.Format(TopicConfig.Default);
        return TopicConfigParser.Format(topic.Config)
            .Where(c => !defaults.TryGetValue(c.Key, out var value) || value != c.Value)
            .ToDictionary(c => c.Key, c => c.Value);
    }

    /// <summary>
    /// The configs set after <paramref name="change"/> on <paramref name="set"/>, and the settings they make; throws
    /// <see cref="HubException"/> (INVALID_REQUEST, INVALID_CONFIG) when the change can't be made.
    /// </summary>
    public static (Dictionary<string, string> Set, TopicConfig Config) Apply(IReadOnlyDictionary<string, string> set, TopicConfigChange change)
    {
        Check(change);
        var result = change.ReplacesAll ? new Dictionary<string, string>() : new Dictionary<string, string>(set);
        foreach (var alteration in change.Alterations)
        {
            var name = alteration.Name;
            switch (alteration.Operation)
            {
                case TopicConfigOperation.Set:
                    result[name] = alteration.Value!;
                    break;
                case TopicConfigOperation.Delete:
                    result.Remove(name);
                    break;
                default:
                    if (!IsList(name))
                        throw new HubException(ErrorCode.InvalidConfig, $"can't {alteration.Operation.ToString().ToUpperInvariant()} to '{name}': it is not a list config");
                    result[name] = string.Join(ListSeparator, Combine(Items(result.GetValueOrDefault(name) ?? Default(name)), Items(alteration.Value!), alteration.Operation));
                    break;
            }
        }
        return (result, TopicConfigParser.Parse(result));
    }

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> set the same configs to the same values.</summary>
    public static bool SameSet(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(c => b.TryGetValue(c.Key, out var value) && value == c.Value);

    private static void Check(TopicConfigChange change)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alteration in change.Alterations)
        {
            if (!named.Add(alteration.Name))
                throw new HubException(ErrorCode.InvalidRequest, $"config '{alteration.Name}' is named more than once");
            if (!Enum.IsDefined(alteration.Operation))
                throw new HubException(ErrorCode.InvalidRequest, $"unknown config operation {(sbyte)alteration.Operation} for '{alteration.Name}'");
            if (alteration.Value is null && alteration.Operation != TopicConfigOperation.Delete)
                throw new HubException(ErrorCode.InvalidRequest, $"config '{alteration.Name}' has no value");
            if (change.ReplacesAll && alteration.Operation != TopicConfigOperation.Set)
                throw new HubException(ErrorCode.InvalidRequest, $"replacing a topic's configs only sets them; '{alteration.Name}' has {alteration.Operation}");
        }
    }

    private static List<string> Combine(List<string> current, List<string> items, TopicConfigOperation operation)
    {
        foreach (var item in items)
        {
            if (operation == TopicConfigOperation.Subtract) current.Remove(item);
            else if (!current.Contains(item)) current.Add(item);
        }
        return current;
    }

    private static List<string> Items(string value) => [.. value.Split(ListSeparator, StringSplitOptions.RemoveEmptyEntries)];

    private static string Default(string name) => KafkaTopicConfigs.Get(name).Default;
}
