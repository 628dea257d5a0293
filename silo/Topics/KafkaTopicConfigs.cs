using System.Globalization;
using Hub.Topics;
using static Hub.Silo.Topics.TopicConfigValues;

namespace Hub.Silo.Topics;

/// <summary>
/// Every topic config Kafka 4.x knows (its LogConfig, with the types, defaults and rules its ConfigDef declares),
/// plus three Kafka 3.x configs that Kafka 4.0 removed but 3.x tools still send. A topic may set any of them; an
/// unknown name is INVALID_CONFIG, as in Kafka. The honoured ones shape <see cref="TopicConfig"/>; the others are
/// kept with the topic and described, so tools that set them work, but change nothing here (README: "Topic
/// configs" says why for each). Defaults are Hub's, which are Kafka's except flush.ms (see <see cref="TopicConfig"/>).
/// </summary>
internal static class KafkaTopicConfigs
{
    /// <summary>
    /// Hub keeps its smallest segment.bytes at one batch header, where Kafka 4.0 raised its floor to 1 MiB (and
    /// moved small test segments to an internal config): tests and small deployments here roll tiny segments.
    /// </summary>
    private const int MinSegmentBytes = 14;

    private static readonly TopicConfig Defaults = TopicConfig.Default;

    public static IReadOnlyList<TopicConfigDefinition> All { get; } =
    [
        Honoured(TopicConfig.CleanupPolicyKey, KafkaConfigType.List, Defaults.CleanupPolicy, CleanupPolicy, "log.cleanup.policy"),
        Stored("compression.gzip.level", KafkaConfigType.Int, "-1", GzipLevel, "compression.gzip.level"),
        Stored("compression.lz4.level", KafkaConfigType.Int, "9", Int(1, 17), "compression.lz4.level"),
        Honoured(TopicConfig.CompressionTypeKey, KafkaConfigType.String, Defaults.CompressionType,
            OneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", TopicConfig.ProducerCompression), "compression.type"),
        // zstd's own level range (ZSTD_minCLevel to ZSTD_maxCLevel), as Kafka checks it.
        Stored("compression.zstd.level", KafkaConfigType.Int, "3", Int(-131072, 22), "compression.zstd.level"),
        Honoured(TopicConfig.DeleteRetentionMsKey, KafkaConfigType.Long, S(Defaults.DeleteRetentionMs), Long(0), "log.cleaner.delete.retention.ms"),
        Stored("file.delete.delay.ms", KafkaConfigType.Long, "60000", Long(0), "log.segment.delete.delay.ms"),
        Honoured(TopicConfig.FlushMessagesKey, KafkaConfigType.Long, S(Defaults.FlushMessages), Long(1), "log.flush.interval.messages"),
        Honoured(TopicConfig.FlushMsKey, KafkaConfigType.Long, S(Defaults.FlushMs), Long(0), "log.flush.interval.ms"),
        Stored("follower.replication.throttled.replicas", KafkaConfigType.List, "", ThrottledReplicas),
        Stored("index.interval.bytes", KafkaConfigType.Int, "4096", Int(0), "log.index.interval.bytes"),
        Stored("leader.replication.throttled.replicas", KafkaConfigType.List, "", ThrottledReplicas),
        // -2: "as retention.bytes / retention.ms" (Kafka's tiered storage keeps that much locally).
        Stored("local.retention.bytes", KafkaConfigType.Long, "-2", Long(-2), "log.local.retention.bytes"),
        Stored("local.retention.ms", KafkaConfigType.Long, "-2", Long(-2), "log.local.retention.ms"),
        Honoured(TopicConfig.MaxCompactionLagMsKey, KafkaConfigType.Long, S(Defaults.MaxCompactionLagMs), Long(1), "log.cleaner.max.compaction.lag.ms"),
        Honoured(TopicConfig.MaxMessageBytesKey, KafkaConfigType.Int, S(Defaults.MaxMessageBytes), Int(0), "message.max.bytes"),
        Stored("message.downconversion.enable", KafkaConfigType.Boolean, "true", Bool, "log.message.downconversion.enable"),
        Stored("message.format.version", KafkaConfigType.String, "3.0-IV1", KafkaVersion, "log.message.format.version"),
        Honoured(TopicConfig.MessageTimestampAfterMaxMsKey, KafkaConfigType.Long, S(Defaults.MessageTimestampAfterMaxMs), Long(0), "log.message.timestamp.after.max.ms"),
        Honoured(TopicConfig.MessageTimestampBeforeMaxMsKey, KafkaConfigType.Long, S(Defaults.MessageTimestampBeforeMaxMs), Long(0), "log.message.timestamp.before.max.ms"),
        Honoured(TopicConfig.MessageTimestampDifferenceMaxMsKey, KafkaConfigType.Long, S(long.MaxValue), Long(0), "log.message.timestamp.difference.max.ms"),
        Honoured(TopicConfig.MessageTimestampTypeKey, KafkaConfigType.String, Defaults.MessageTimestampType,
            OneOf(TopicConfig.CreateTime, TopicConfig.LogAppendTime), "log.message.timestamp.type"),
        Honoured(TopicConfig.MinCleanableDirtyRatioKey, KafkaConfigType.Double, TopicConfig.DefaultMinCleanableDirtyRatio.ToString(CultureInfo.InvariantCulture),
            Ratio, "log.cleaner.min.cleanable.ratio"),
        Honoured(TopicConfig.MinCompactionLagMsKey, KafkaConfigType.Long, S(Defaults.MinCompactionLagMs), Long(0), "log.cleaner.min.compaction.lag.ms"),
        Honoured(TopicConfig.MinInSyncReplicasKey, KafkaConfigType.Int, S(Defaults.MinInSyncReplicas), Int(1), "min.insync.replicas"),
        Stored("preallocate", KafkaConfigType.Boolean, "false", Bool, "log.preallocate"),
        Stored("remote.log.copy.disable", KafkaConfigType.Boolean, "false", Bool),
        Stored("remote.log.delete.on.disable", KafkaConfigType.Boolean, "false", Bool),
        Stored(RemoteStorageEnableKey, KafkaConfigType.Boolean, "false", Bool),
        // Kafka checks no range: any negative size means no limit.
        Honoured(TopicConfig.RetentionBytesKey, KafkaConfigType.Long, S(Defaults.RetentionBytes), Long(long.MinValue), "log.retention.bytes"),
        Honoured(TopicConfig.RetentionMsKey, KafkaConfigType.Long, S(Defaults.RetentionMs), Long(-1), "log.retention.ms"),
        Honoured(TopicConfig.SegmentBytesKey, KafkaConfigType.Int, S(Defaults.SegmentBytes), Int(MinSegmentBytes), "log.segment.bytes"),
        Stored("segment.index.bytes", KafkaConfigType.Int, "10485760", Int(4), "log.index.size.max.bytes"),
        Stored("segment.jitter.ms", KafkaConfigType.Long, "0", Long(0), "log.roll.jitter.ms"),
        Honoured(TopicConfig.SegmentMsKey, KafkaConfigType.Long, S(Defaults.SegmentMs), Long(1), "log.roll.ms"),
        Honoured(TopicConfig.UncleanLeaderElectionEnableKey, KafkaConfigType.Boolean, Defaults.UncleanLeaderElectionEnable ? "true" : "false",
            Bool, "unclean.leader.election.enable"),
    ];

    /// <summary>Kafka's tiered storage switch: Hub has no remote tier, so only "false" is accepted (see <see cref="TopicConfigParser"/>).</summary>
    public const string RemoteStorageEnableKey = "remote.storage.enable";

    private static readonly Dictionary<string, TopicConfigDefinition> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>The definition of <paramref name="name"/>; INVALID_CONFIG for a name Kafka does not know.</summary>
    public static TopicConfigDefinition Get(string name) => ByName.TryGetValue(name, out var definition)
        ? definition
        : throw new Errors.HubException(Errors.ErrorCode.InvalidConfig, $"unknown topic config '{name}'");

    private static TopicConfigDefinition Honoured(string name, KafkaConfigType type, string defaultValue, Rule rule, string? brokerSynonym) =>
        new(name, type, defaultValue, rule, Honoured: true, brokerSynonym);

    private static TopicConfigDefinition Stored(string name, KafkaConfigType type, string defaultValue, Rule rule, string? brokerSynonym = null) =>
        new(name, type, defaultValue, rule, Honoured: false, brokerSynonym);

    private static string S(long value) => value.ToString(CultureInfo.InvariantCulture);
}
