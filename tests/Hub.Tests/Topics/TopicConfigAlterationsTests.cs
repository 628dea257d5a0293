using Hub.Errors;
using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Tests.Topics;

/// <summary>Kafka's config alteration rules on the configs set on a topic: SET, DELETE, APPEND, SUBTRACT, and AlterConfigs' whole-set replacement.</summary>
public sealed class TopicConfigAlterationsTests
{
    private static readonly Dictionary<string, string> None = [];

    private static readonly Dictionary<string, string> RetentionSet = new() { [TopicConfig.RetentionMsKey] = "60000" };

    [Fact]
    public void Set_adds_to_the_set_and_changes_the_settings()
    {
        var (set, config) = Apply(RetentionSet, Alter(TopicConfig.MinInSyncReplicasKey, TopicConfigOperation.Set, "2"));

        Assert.Equal(new Dictionary<string, string> { [TopicConfig.RetentionMsKey] = "60000", [TopicConfig.MinInSyncReplicasKey] = "2" }, set);
        Assert.Equal(2, config.MinInSyncReplicas);
        Assert.Equal(60000, config.RetentionMs);
    }

    [Fact]
    public void Delete_takes_a_config_back_to_its_default_and_of_one_not_set_changes_nothing()
    {
        var (set, config) = Apply(RetentionSet, Alter(TopicConfig.RetentionMsKey, TopicConfigOperation.Delete));
        Assert.Empty(set);
        Assert.Equal(TopicConfig.Default.RetentionMs, config.RetentionMs);

        var (unchanged, _) = Apply(RetentionSet, Alter("no.such.config", TopicConfigOperation.Delete));
        Assert.True(TopicConfigAlterations.SameSet(RetentionSet, unchanged));
    }

    [Fact]
    public void Append_starts_from_the_default_and_adds_only_what_is_missing()
    {
        var (set, config) = Apply(None, Alter(TopicConfig.CleanupPolicyKey, TopicConfigOperation.Append, "compact"));
        Assert.Equal("delete,compact", set[TopicConfig.CleanupPolicyKey]);
        Assert.Equal("delete,compact", config.CleanupPolicy);

        var (again, _) = Apply(set, Alter(TopicConfig.CleanupPolicyKey, TopicConfigOperation.Append, "compact,delete"));
        Assert.Equal("delete,compact", again[TopicConfig.CleanupPolicyKey]);
    }

    [Fact]
    public void Subtract_removes_items_and_an_empty_cleanup_policy_is_invalid()
    {
        var both = new Dictionary<string, string> { [TopicConfig.CleanupPolicyKey] = "delete,compact" };
        var (set, _) = Apply(both, Alter(TopicConfig.CleanupPolicyKey, TopicConfigOperation.Subtract, "delete"));
        Assert.Equal("compact", set[TopicConfig.CleanupPolicyKey]);

        Refused(ErrorCode.InvalidConfig, None, Alter(TopicConfig.CleanupPolicyKey, TopicConfigOperation.Subtract, "delete"));
    }

    [Theory]
    [InlineData(TopicConfigOperation.Append)]
    [InlineData(TopicConfigOperation.Subtract)]
    public void List_operations_on_a_config_that_is_no_list_are_invalid_config(TopicConfigOperation operation) =>
        Refused(ErrorCode.InvalidConfig, RetentionSet, Alter(TopicConfig.RetentionMsKey, operation, "1"));

    [Fact]
    public void Unknown_configs_and_bad_values_are_invalid_config()
    {
        Refused(ErrorCode.InvalidConfig, None, Alter("retention.mss", TopicConfigOperation.Set, "1"));
        Refused(ErrorCode.InvalidConfig, None, Alter(TopicConfig.RetentionMsKey, TopicConfigOperation.Set, "soon"));
        Refused(ErrorCode.InvalidConfig, None, Alter(TopicConfig.SegmentBytesKey, TopicConfigOperation.Set, "1"));
        Refused(ErrorCode.InvalidConfig, None, Alter(TopicConfig.CompressionTypeKey, TopicConfigOperation.Set, "zip"));
    }

    [Fact]
    public void A_config_named_twice_a_missing_value_or_an_unknown_operation_is_invalid_request()
    {
        Refused(ErrorCode.InvalidRequest, None,
            Alter(TopicConfig.RetentionMsKey, TopicConfigOperation.Set, "1"), Alter(TopicConfig.RetentionMsKey, TopicConfigOperation.Delete));
        Refused(ErrorCode.InvalidRequest, None, Alter(TopicConfig.RetentionMsKey, TopicConfigOperation.Set));
        Refused(ErrorCode.InvalidRequest, None, Alter(TopicConfig.RetentionMsKey, (TopicConfigOperation)7, "1"));
    }

    [Fact]
    public void Replacing_the_whole_set_takes_every_config_not_named_back_to_its_default()
    {
        var before = new Dictionary<string, string> { [TopicConfig.RetentionMsKey] = "60000", [TopicConfig.MaxMessageBytesKey] = "1000" };
        var change = new TopicConfigChange("t", [Alter(TopicConfig.MaxMessageBytesKey, TopicConfigOperation.Set, "2000")], ReplacesAll: true);

        var (set, config) = TopicConfigAlterations.Apply(before, change);

        Assert.Equal(new Dictionary<string, string> { [TopicConfig.MaxMessageBytesKey] = "2000" }, set);
        Assert.Equal(TopicConfig.Default.RetentionMs, config.RetentionMs);
        Assert.Equal(2000, config.MaxMessageBytes);
    }

    [Fact]
    public void A_topic_stored_before_configs_were_kept_counts_its_values_off_the_defaults_as_set()
    {
        var legacy = new TopicMetadata("t", Guid.NewGuid(), TopicConfig.Default with { RetentionMs = 60000 }, DateTimeOffset.UnixEpoch,
            [new PartitionAssignment(0, 0, 0, [0])]);

        Assert.Equal(new Dictionary<string, string> { [TopicConfig.RetentionMsKey] = "60000" }, TopicConfigAlterations.SetOn(legacy));
        Assert.Empty(TopicConfigAlterations.SetOn(legacy with { SetConfigs = new Dictionary<string, string>() }));
    }

    private static TopicConfigAlteration Alter(string name, TopicConfigOperation operation, string? value = null) => new(name, operation, value);

    private static (Dictionary<string, string> Set, TopicConfig Config) Apply(IReadOnlyDictionary<string, string> set, params TopicConfigAlteration[] alterations) =>
        TopicConfigAlterations.Apply(set, new TopicConfigChange("t", alterations));

    private static void Refused(ErrorCode expected, IReadOnlyDictionary<string, string> set, params TopicConfigAlteration[] alterations) =>
        Assert.Equal(expected, Assert.Throws<HubException>(() => Apply(set, alterations)).Code);
}
