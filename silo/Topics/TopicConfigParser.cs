using System.Globalization;
using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Topics;

/// <summary>Turns Kafka-named topic configs ("retention.ms" = "3600000") into a validated <see cref="TopicConfig"/>.</summary>
internal static class TopicConfigParser
{
    /// <summary>Kafka's smallest segment.bytes: one batch header must fit.</summary>
    private const int MinSegmentBytes = 14;

    public static TopicConfig Parse(IReadOnlyDictionary<string, string>? configs, TopicConfig? defaults = null)
    {
        var config = defaults ?? TopicConfig.Default;
        if (configs is null) return config;
        foreach (var (key, value) in configs)
        {
            config = key switch
            {
                TopicConfig.RetentionMsKey => config with { RetentionMs = Long(key, value, min: -1) },
                TopicConfig.RetentionBytesKey => config with { RetentionBytes = Long(key, value, min: -1) },
                TopicConfig.SegmentBytesKey => config with { SegmentBytes = (int)Long(key, value, MinSegmentBytes, int.MaxValue) },
                TopicConfig.SegmentMsKey => config with { SegmentMs = Long(key, value, min: 1) },
                TopicConfig.MaxMessageBytesKey => config with { MaxMessageBytes = (int)Long(key, value, 0, int.MaxValue) },
                TopicConfig.FlushMessagesKey => config with { FlushMessages = Long(key, value, min: 1) },
                TopicConfig.FlushMsKey => config with { FlushMs = Long(key, value, min: 0) },
                TopicConfig.MinInSyncReplicasKey => config with { MinInSyncReplicas = (int)Long(key, value, 1, short.MaxValue) },
                TopicConfig.CleanupPolicyKey => config with { CleanupPolicy = CleanupPolicy(value) },
                TopicConfig.CompressionTypeKey => config with { CompressionType = TopicCompression.Validated(value) },
                TopicConfig.MinCleanableDirtyRatioKey => config with { MinCleanableDirtyRatio = Ratio(key, value) },
                TopicConfig.MinCompactionLagMsKey => config with { MinCompactionLagMs = Long(key, value, min: 0) },
                TopicConfig.MaxCompactionLagMsKey => config with { MaxCompactionLagMs = Long(key, value, min: 1) },
                TopicConfig.DeleteRetentionMsKey => config with { DeleteRetentionMs = Long(key, value, min: 0) },
                _ => throw new HubException(ErrorCode.InvalidConfig, $"unknown topic config '{key}'"),
            };
        }
        if (config.MinCompactionLagMs > config.MaxCompactionLagMs)
            throw new HubException(ErrorCode.InvalidConfig,
                $"{TopicConfig.MinCompactionLagMsKey} ({config.MinCompactionLagMs}) must not be above {TopicConfig.MaxCompactionLagMsKey} ({config.MaxCompactionLagMs})");
        return config;
    }

    /// <summary>The effective settings under their Kafka names, for describe output.</summary>
    public static IReadOnlyDictionary<string, string> Format(TopicConfig config) => new SortedDictionary<string, string>
    {
        [TopicConfig.RetentionMsKey] = config.RetentionMs.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.RetentionBytesKey] = config.RetentionBytes.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.SegmentBytesKey] = config.SegmentBytes.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.SegmentMsKey] = config.SegmentMs.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.MaxMessageBytesKey] = config.MaxMessageBytes.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.FlushMessagesKey] = config.FlushMessages.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.FlushMsKey] = config.FlushMs.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.MinInSyncReplicasKey] = config.MinInSyncReplicas.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.CleanupPolicyKey] = config.CleanupPolicy,
        [TopicConfig.CompressionTypeKey] = config.CompressionType,
        // Unset, the silo's cleaner option decides; Kafka's default is what describe can name without asking a silo.
        [TopicConfig.MinCleanableDirtyRatioKey] = (config.MinCleanableDirtyRatio ?? TopicConfig.DefaultMinCleanableDirtyRatio).ToString(CultureInfo.InvariantCulture),
        [TopicConfig.MinCompactionLagMsKey] = config.MinCompactionLagMs.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.MaxCompactionLagMsKey] = config.MaxCompactionLagMs.ToString(CultureInfo.InvariantCulture),
        [TopicConfig.DeleteRetentionMsKey] = config.DeleteRetentionMs.ToString(CultureInfo.InvariantCulture),
    };

    private static long Long(string key, string value, long min, long max = long.MaxValue)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            throw new HubException(ErrorCode.InvalidConfig, $"topic config '{key}' must be an integer, got '{value}'");
        if (parsed < min || parsed > max)
            throw new HubException(ErrorCode.InvalidConfig, $"topic config '{key}' must be between {min} and {max}, got {parsed}");
        return parsed;
    }

    private static double Ratio(string key, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !(parsed is >= 0 and <= 1))
            throw new HubException(ErrorCode.InvalidConfig, $"topic config '{key}' must be a number between 0 and 1, got '{value}'");
        return parsed;
    }

    private static string CleanupPolicy(string value) => CleanupPolicies.IsValid(value)
        ? value
        : throw new HubException(ErrorCode.InvalidConfig, $"cleanup.policy must be 'delete', 'compact' or both ('compact,delete'), got '{value}'");
}
