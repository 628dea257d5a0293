using System.Globalization;
using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Topics;

/// <summary>
/// Turns Kafka-named topic configs ("retention.ms" = "3600000") into a validated <see cref="TopicConfig"/>: every
/// config of <see cref="KafkaTopicConfigs"/> is checked by Kafka's rule for it; the honoured ones set the typed
/// settings, the others are only checked (the topic keeps them as set).
/// </summary>
internal static class TopicConfigParser
{
    public static TopicConfig Parse(IReadOnlyDictionary<string, string>? configs, TopicConfig? defaults = null)
    {
        var config = defaults ?? TopicConfig.Default;
        if (configs is null) return config;
        foreach (var (key, given) in configs)
        {
            var definition = KafkaTopicConfigs.Get(key);
            var value = definition.Canonical(given);
            config = key switch
            {
                TopicConfig.RetentionMsKey => config with { RetentionMs = Long(value) },
                TopicConfig.RetentionBytesKey => config with { RetentionBytes = Long(value) },
                TopicConfig.SegmentBytesKey => config with { SegmentBytes = (int)Long(value) },
                TopicConfig.SegmentMsKey => config with { SegmentMs = Long(value) },
                TopicConfig.MaxMessageBytesKey => config with { MaxMessageBytes = (int)Long(value) },
                TopicConfig.FlushMessagesKey => config with { FlushMessages = Long(value) },
                TopicConfig.FlushMsKey => config with { FlushMs = Long(value) },
                TopicConfig.MinInSyncReplicasKey => config with { MinInSyncReplicas = (int)Long(value) },
                TopicConfig.CleanupPolicyKey => config with { CleanupPolicy = value },
                TopicConfig.CompressionTypeKey => config with { CompressionType = value },
                TopicConfig.MinCleanableDirtyRatioKey => config with { MinCleanableDirtyRatio = double.Parse(value, CultureInfo.InvariantCulture) },
                TopicConfig.MinCompactionLagMsKey => config with { MinCompactionLagMs = Long(value) },
                TopicConfig.MaxCompactionLagMsKey => config with { MaxCompactionLagMs = Long(value) },
                TopicConfig.DeleteRetentionMsKey => config with { DeleteRetentionMs = Long(value) },
                TopicConfig.MessageTimestampTypeKey => config with { MessageTimestampType = value },
                TopicConfig.MessageTimestampBeforeMaxMsKey => config with { MessageTimestampBeforeMaxMs = Long(value) },
                TopicConfig.MessageTimestampAfterMaxMsKey => config with { MessageTimestampAfterMaxMs = Long(value) },
                TopicConfig.UncleanLeaderElectionEnableKey => config with { UncleanLeaderElectionEnable = value == "true" },
                KafkaTopicConfigs.RemoteStorageEnableKey when value == "true" => throw new HubException(ErrorCode.InvalidConfig,
                    $"topic config '{key}' can't be true: Hub has no remote storage tier (as a Kafka broker with tiered storage disabled)"),
                _ => config,
            };
        }
        if (configs.TryGetValue(TopicConfig.MessageTimestampDifferenceMaxMsKey, out var differenceMaxMs))
        {
            // Kafka 3.x: the deprecated bound applies in each direction whose own bound is not set.
            var difference = Long(KafkaTopicConfigs.Get(TopicConfig.MessageTimestampDifferenceMaxMsKey).Canonical(differenceMaxMs));
            if (!configs.ContainsKey(TopicConfig.MessageTimestampBeforeMaxMsKey)) config = config with { MessageTimestampBeforeMaxMs = difference };
            if (!configs.ContainsKey(TopicConfig.MessageTimestampAfterMaxMsKey)) config = config with { MessageTimestampAfterMaxMs = difference };
        }
        if (config.MinCompactionLagMs > config.MaxCompactionLagMs)
            throw new HubException(ErrorCode.InvalidConfig,
                $"{TopicConfig.MinCompactionLagMsKey} ({config.MinCompactionLagMs}) must not be above {TopicConfig.MaxCompactionLagMsKey} ({config.MaxCompactionLagMs})");
        return config;
    }

    /// <summary>The honoured settings under their Kafka names (for a topic stored before the set configs were kept).</summary>
    public static IReadOnlyDictionary<string, string> Format(TopicConfig config) => new SortedDictionary<string, string>
    {
        [TopicConfig.RetentionMsKey] = S(config.RetentionMs),
        [TopicConfig.RetentionBytesKey] = S(config.RetentionBytes),
        [TopicConfig.SegmentBytesKey] = S(config.SegmentBytes),
        [TopicConfig.SegmentMsKey] = S(config.SegmentMs),
        [TopicConfig.MaxMessageBytesKey] = S(config.MaxMessageBytes),
        [TopicConfig.FlushMessagesKey] = S(config.FlushMessages),
        [TopicConfig.FlushMsKey] = S(config.FlushMs),
        [TopicConfig.MinInSyncReplicasKey] = S(config.MinInSyncReplicas),
        [TopicConfig.CleanupPolicyKey] = config.CleanupPolicy,
        [TopicConfig.CompressionTypeKey] = config.CompressionType,
        // Unset, the silo's cleaner option decides; Kafka's default is what describe can name without asking a silo.
        [TopicConfig.MinCleanableDirtyRatioKey] = (config.MinCleanableDirtyRatio ?? TopicConfig.DefaultMinCleanableDirtyRatio).ToString(CultureInfo.InvariantCulture),
        [TopicConfig.MinCompactionLagMsKey] = S(config.MinCompactionLagMs),
        [TopicConfig.MaxCompactionLagMsKey] = S(config.MaxCompactionLagMs),
        [TopicConfig.DeleteRetentionMsKey] = S(config.DeleteRetentionMs),
        [TopicConfig.MessageTimestampTypeKey] = config.MessageTimestampType,
        [TopicConfig.MessageTimestampBeforeMaxMsKey] = S(config.MessageTimestampBeforeMaxMs),
        [TopicConfig.MessageTimestampAfterMaxMsKey] = S(config.MessageTimestampAfterMaxMs),
        [TopicConfig.UncleanLeaderElectionEnableKey] = config.UncleanLeaderElectionEnable ? "true" : "false",
    };

    private static long Long(string canonical) => long.Parse(canonical, CultureInfo.InvariantCulture);

    private static string S(long value) => value.ToString(CultureInfo.InvariantCulture);
}
