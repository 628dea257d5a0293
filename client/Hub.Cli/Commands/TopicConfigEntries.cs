using Hub.Topics;

namespace Hub.Cli.Commands;

/// <summary>A topic's settings under Kafka's config names, as <c>hub topics describe</c> lists them.</summary>
public static class TopicConfigEntries
{
    public static IReadOnlyList<KeyValuePair<string, string>> Of(TopicConfig config) =>
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
    ];

    private static string Number(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
