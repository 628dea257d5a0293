using Hub.Errors;
using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Tests.Topics;

/// <summary>
/// Every topic config Kafka 4.x knows is accepted with Kafka's rule for its value (type, range, enumeration), as
/// Kafka's LogConfig declares it; a bad value or an unknown name is INVALID_CONFIG naming the config and the rule.
/// </summary>
public sealed class KafkaTopicConfigsTests
{
    /// <summary>Kafka 4.x's LogConfig (name, type), plus the three Kafka 3.x configs 4.0 removed that Hub still takes.</summary>
    internal static readonly Dictionary<string, KafkaConfigType> KafkaConfigs = new()
    {
        ["cleanup.policy"] = KafkaConfigType.List,
        ["compression.gzip.level"] = KafkaConfigType.Int,
        ["compression.lz4.level"] = KafkaConfigType.Int,
        ["compression.type"] = KafkaConfigType.String,
        ["compression.zstd.level"] = KafkaConfigType.Int,
        ["delete.retention.ms"] = KafkaConfigType.Long,
        ["file.delete.delay.ms"] = KafkaConfigType.Long,
        ["flush.messages"] = KafkaConfigType.Long,
        ["flush.ms"] = KafkaConfigType.Long,
        ["follower.replication.throttled.replicas"] = KafkaConfigType.List,
        ["index.interval.bytes"] = KafkaConfigType.Int,
        ["leader.replication.throttled.replicas"] = KafkaConfigType.List,
        ["local.retention.bytes"] = KafkaConfigType.Long,
        ["local.retention.ms"] = KafkaConfigType.Long,
        ["max.compaction.lag.ms"] = KafkaConfigType.Long,
        ["max.message.bytes"] = KafkaConfigType.Int,
        ["message.downconversion.enable"] = KafkaConfigType.Boolean,
        ["message.format.version"] = KafkaConfigType.String,
        ["message.timestamp.after.max.ms"] = KafkaConfigType.Long,
        ["message.timestamp.before.max.ms"] = KafkaConfigType.Long,
        ["message.timestamp.difference.max.ms"] = KafkaConfigType.Long,
        ["message.timestamp.type"] = KafkaConfigType.String,
        ["min.cleanable.dirty.ratio"] = KafkaConfigType.Double,
        ["min.compaction.lag.ms"] = KafkaConfigType.Long,
        ["min.insync.replicas"] = KafkaConfigType.Int,
        ["preallocate"] = KafkaConfigType.Boolean,
        ["remote.log.copy.disable"] = KafkaConfigType.Boolean,
        ["remote.log.delete.on.disable"] = KafkaConfigType.Boolean,
        ["remote.storage.enable"] = KafkaConfigType.Boolean,
        ["retention.bytes"] = KafkaConfigType.Long,
        ["retention.ms"] = KafkaConfigType.Long,
        ["segment.bytes"] = KafkaConfigType.Int,
        ["segment.index.bytes"] = KafkaConfigType.Int,
        ["segment.jitter.ms"] = KafkaConfigType.Long,
        ["segment.ms"] = KafkaConfigType.Long,
        ["unclean.leader.election.enable"] = KafkaConfigType.Boolean,
    };

    /// <summary>A valid value other than the default for each config, as a client might send it.</summary>
    public static readonly Dictionary<string, string> ValidValues = new()
    {
        ["cleanup.policy"] = "compact,delete",
        ["compression.gzip.level"] = "9",
        ["compression.lz4.level"] = "17",
        ["compression.type"] = "lz4",
        ["compression.zstd.level"] = "-5",
        ["delete.retention.ms"] = "1000",
        ["file.delete.delay.ms"] = "0",
        ["flush.messages"] = "10",
        ["flush.ms"] = "1000",
        ["follower.replication.throttled.replicas"] = "0:1,1:2",
        ["index.interval.bytes"] = "8192",
        ["leader.replication.throttled.replicas"] = "*",
        ["local.retention.bytes"] = "-1",
        ["local.retention.ms"] = "60000",
        ["max.compaction.lag.ms"] = "86400000",
        ["max.message.bytes"] = "2000000",
        ["message.downconversion.enable"] = "false",
        ["message.format.version"] = "3.0-IV1",
        ["message.timestamp.after.max.ms"] = "3600000",
        ["message.timestamp.before.max.ms"] = "86400000",
        ["message.timestamp.difference.max.ms"] = "7200000",
        ["message.timestamp.type"] = "LogAppendTime",
        ["min.cleanable.dirty.ratio"] = "0.25",
        ["min.compaction.lag.ms"] = "1000",
        ["min.insync.replicas"] = "1",
        ["preallocate"] = "true",
        ["remote.log.copy.disable"] = "true",
        ["remote.log.delete.on.disable"] = "true",
        ["remote.storage.enable"] = "false",
        ["retention.bytes"] = "1073741824",
        ["retention.ms"] = "-1",
        ["segment.bytes"] = "1048576",
        ["segment.index.bytes"] = "4096",
        ["segment.jitter.ms"] = "60000",
        ["segment.ms"] = "3600000",
        ["unclean.leader.election.enable"] = "true",
    };

    [Fact]
    public void Hub_knows_exactly_Kafkas_topic_configs_with_Kafkas_types()
    {
        Assert.Equal(KafkaConfigs, KafkaTopicConfigs.All.ToDictionary(d => d.Name, d => d.Type));
    }

    [Fact]
    public void Every_config_is_accepted_at_once_and_the_honoured_ones_take_effect()
    {
        var config = TopicConfigParser.Parse(ValidValues);

        Assert.Equal(("compact,delete", "lz4", TopicConfig.LogAppendTime, true), (config.CleanupPolicy, config.CompressionType, config.MessageTimestampType, config.UncleanLeaderElectionEnable));
        Assert.Equal((86400000L, 3600000L), (config.MessageTimestampBeforeMaxMs, config.MessageTimestampAfterMaxMs));
        Assert.Equal((-1L, 1073741824L, 1048576), (config.RetentionMs, config.RetentionBytes, config.SegmentBytes));
    }

    [Fact]
    public void Each_default_is_valid_and_the_honoured_defaults_are_hubs_typed_defaults()
    {
        var defaults = KafkaTopicConfigs.All.ToDictionary(d => d.Name, d => d.Default);

        // Unset, min.cleanable.dirty.ratio leaves the choice to the silo's cleaner option; set, it is the topic's.
        Assert.Equal(TopicConfig.Default with { MinCleanableDirtyRatio = TopicConfig.DefaultMinCleanableDirtyRatio }, TopicConfigParser.Parse(defaults));
        Assert.All(KafkaTopicConfigs.All, d => Assert.Equal(d.Default, d.Canonical(d.Default)));
        foreach (var (name, value) in TopicConfigParser.Format(TopicConfig.Default)) Assert.Equal(value, defaults[name]);
    }

    [Theory]
    [InlineData("retention.ms", "soon", "must be an integer")]
    [InlineData("retention.ms", "-2", "must be between -1 and")]
    [InlineData("segment.bytes", "13", "must be between 14 and 2147483647")]
    [InlineData("segment.bytes", "2147483648", "must be between 14 and 2147483647")]
    [InlineData("max.message.bytes", "-1", "must be between 0 and")]
    [InlineData("min.insync.replicas", "0", "must be between 1 and")]
    [InlineData("compression.gzip.level", "0", "must be -1 (gzip's default) or between 1 and 9")]
    [InlineData("compression.gzip.level", "10", "must be -1 (gzip's default) or between 1 and 9")]
    [InlineData("compression.lz4.level", "18", "must be between 1 and 17")]
    [InlineData("compression.zstd.level", "23", "must be between -131072 and 22")]
    [InlineData("compression.type", "none", "must be one of uncompressed, zstd, lz4, snappy, gzip, producer")]
    [InlineData("message.timestamp.type", "logappendtime", "must be one of CreateTime, LogAppendTime")]
    [InlineData("message.timestamp.before.max.ms", "-1", "must be between 0 and")]
    [InlineData("message.timestamp.after.max.ms", "-1", "must be between 0 and")]
    [InlineData("message.timestamp.difference.max.ms", "-1", "must be between 0 and")]
    [InlineData("unclean.leader.election.enable", "yes", "must be true or false")]
    [InlineData("preallocate", "1", "must be true or false")]
    [InlineData("min.cleanable.dirty.ratio", "1.5", "must be a number between 0 and 1")]
    [InlineData("cleanup.policy", "forever", "must be 'delete', 'compact' or both")]
    [InlineData("leader.replication.throttled.replicas", "0-1", "must be '*' or a list of replicas")]
    [InlineData("follower.replication.throttled.replicas", "*,0:1", "must be '*' or a list of replicas")]
    [InlineData("local.retention.ms", "-3", "must be between -2 and")]
    [InlineData("segment.index.bytes", "3", "must be between 4 and")]
    [InlineData("segment.jitter.ms", "-1", "must be between 0 and")]
    [InlineData("message.format.version", "latest", "must be a Kafka version")]
    [InlineData("remote.storage.enable", "true", "no remote storage tier")]
    public void A_bad_value_is_invalid_config_naming_the_config_and_the_rule(string name, string value, string rule)
    {
        var refused = Assert.Throws<HubException>(() => TopicConfigParser.Parse(new Dictionary<string, string> { [name] = value }));

        Assert.Equal(ErrorCode.InvalidConfig, refused.Code);
        Assert.Contains($"'{name}'", refused.Message);
        Assert.Contains(rule, refused.Message);
    }

    [Theory]
    [InlineData("retention.nonsense")]
    [InlineData("log.retention.ms")] // a broker config, not a topic config
    [InlineData("internal.segment.bytes")] // Kafka's internal, test-only override
    public void An_unknown_name_stays_invalid_config(string name)
    {
        var refused = Assert.Throws<HubException>(() => TopicConfigParser.Parse(new Dictionary<string, string> { [name] = "1" }));

        Assert.Equal(ErrorCode.InvalidConfig, refused.Code);
        Assert.Contains(name, refused.Message);
    }

    [Theory]
    [InlineData("retention.ms", " 60000 ", "60000")]
    [InlineData("preallocate", "TRUE", "true")]
    [InlineData("cleanup.policy", "compact, delete", "compact,delete")]
    [InlineData("message.timestamp.type", " LogAppendTime", "LogAppendTime")]
    [InlineData("follower.replication.throttled.replicas", "0:1, 1:2", "0:1,1:2")]
    public void Values_are_read_as_Kafka_reads_them(string name, string value, string canonical)
    {
        Assert.Equal(canonical, KafkaTopicConfigs.Get(name).Canonical(value));
    }

    [Fact]
    public void The_Kafka_3_difference_bound_applies_where_before_or_after_is_not_set()
    {
        var both = TopicConfigParser.Parse(new Dictionary<string, string> { ["message.timestamp.difference.max.ms"] = "5000" });
        var after = TopicConfigParser.Parse(new Dictionary<string, string>
        {
            ["message.timestamp.difference.max.ms"] = "5000",
            ["message.timestamp.before.max.ms"] = "9000",
        });

        Assert.Equal((5000L, 5000L), (both.MessageTimestampBeforeMaxMs, both.MessageTimestampAfterMaxMs));
        Assert.Equal((9000L, 5000L), (after.MessageTimestampBeforeMaxMs, after.MessageTimestampAfterMaxMs));
    }

    [Fact]
    public void Min_compaction_lag_above_max_is_refused_as_in_Kafka()
    {
        var refused = Assert.Throws<HubException>(() => TopicConfigParser.Parse(new Dictionary<string, string>
        {
            ["min.compaction.lag.ms"] = "2000",
            ["max.compaction.lag.ms"] = "1000",
        }));

        Assert.Equal(ErrorCode.InvalidConfig, refused.Code);
    }
}
