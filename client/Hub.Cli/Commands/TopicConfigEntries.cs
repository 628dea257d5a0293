using Hub.Topics;

namespace Hub.Cli.Commands;

/// <summary>A topic's settings under Kafka's config names, as <c>hub topics describe</c> lists them.</summary>
public static class TopicConfigEntries
{
    /// <summary>The main settings, set or not, then every other config set on the topic, as it was set.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(TopicMetadata topic)
    {
        var config = topic.Config;
        List<KeyValuePair<string, string>> entries =
        [
            new(TopicConfig.CleanupPolicyKey, config.CleanupPolicy),
            new(TopicConfig.RetentionMsKey, Number(config.RetentionMs)),
            new(TopicConfig.RetentionBytesKey, Number(config.RetentionBytes)),
            new(TopicConfig.SegmentBytesKey, Number(config.SegmentBytes)),
            new(TopicConfig.SegmentMsKey, Number(config.SegmentMs)),
            new(TopicConfig.MaxMessageBytesKey, Number(config.MaxMessageBytes)),
            new(TopicConfig.FlushMessagesKey, Number(config.FlushMessages)),
            new(TopicConfig.FlushMsKey, Number(config.FlushMs)),
            new(TopicConfig.MinInSyncReplicasKey, Number(config.MinInSyncReplicas)),
            new(TopicConfig.CompressionTypeKey, config.CompressionType),
            new(TopicConfig.MessageTimestampTypeKey, config.MessageTimestampType),
        ];
        var shown = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        entries.AddRange((topic.SetConfigs ?? new Dictionary<string, string>()).Where(c => !shown.Contains(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal));
        return entries;
    }

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
