using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Configuration;
using Hub.Silo.Controller;
using Hub.Silo.Grains;
using Hub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Cluster;

public sealed class ClusterControllerGrainTests : IAsyncLifetime
{
    private HubTestCluster _cluster = null!;

    private IClusterControllerGrain Controller => _cluster.Grains.GetGrain<IClusterControllerGrain>(0);

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Creates_lists_describes_and_deletes_topics()
    {
        var created = await Controller.CreateTopic("orders", 3, new Dictionary<string, string> { ["retention.ms"] = "60000" });
        await Controller.CreateTopic("audit", 1);

        Assert.Equal(3, created.PartitionCount);
        Assert.Equal(60000, created.Config.RetentionMs);
        Assert.Equal(["audit", "orders"], (await Controller.ListTopics()).Select(t => t.Name));
        Assert.Equal(created.TopicId, (await Controller.GetTopic("orders"))!.TopicId);

        await Controller.DeleteTopic("orders");
        Assert.Null(await Controller.GetTopic("orders"));
        Assert.Equal(["audit"], (await Controller.ListTopics()).Select(t => t.Name));
    }

    [Theory]
    [InlineData("", ErrorCode.InvalidTopic)]
    [InlineData("has space", ErrorCode.InvalidTopic)]
    [InlineData("..", ErrorCode.InvalidTopic)]
    [InlineData("slash/name", ErrorCode.InvalidTopic)]
    public async Task Rejects_bad_topic_names(string name, ErrorCode expected)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => Controller.CreateTopic(name, 1));
        Assert.Equal(expected, error.Code);
        Assert.Empty(await Controller.ListTopics());
    }

    [Fact]
    public async Task Rejects_bad_partition_counts_configs_and_duplicates()
    {
        Assert.Equal(ErrorCode.InvalidPartitions, (await Assert.ThrowsAsync<HubException>(() => Controller.CreateTopic("t", 0))).Code);
        var unknownConfig = await Assert.ThrowsAsync<HubException>(() =>
            Controller.CreateTopic("t", 1, new Dictionary<string, string> { ["retention.nonsense"] = "1" }));
        Assert.Equal(ErrorCode.InvalidConfig, unknownConfig.Code);
        Assert.Contains("retention.nonsense", unknownConfig.Message);
        var badValue = await Assert.ThrowsAsync<HubException>(() =>
            Controller.CreateTopic("t", 1, new Dictionary<string, string> { ["segment.bytes"] = "lots" }));
        Assert.Equal(ErrorCode.InvalidConfig, badValue.Code);
        Assert.Empty(await Controller.ListTopics());

        await Controller.CreateTopic("t", 1);
        Assert.Equal(ErrorCode.TopicAlreadyExists, (await Assert.ThrowsAsync<HubException>(() => Controller.CreateTopic("t", 2))).Code);
        Assert.Equal(1, (await Controller.GetTopic("t"))!.PartitionCount);
    }

    [Fact]
    public async Task Adds_partitions_but_never_shrinks()
    {
        await Controller.CreateTopic("grow", 2);
        var grown = await Controller.AddPartitions("grow", 5);
        Assert.Equal([0, 1, 2, 3, 4], grown.Partitions.Select(p => p.Partition));

        Assert.Equal(ErrorCode.InvalidPartitions, (await Assert.ThrowsAsync<HubException>(() => Controller.AddPartitions("grow", 3))).Code);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Assert.ThrowsAsync<HubException>(() => Controller.AddPartitions("missing", 3))).Code);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Assert.ThrowsAsync<HubException>(() => Controller.DeleteTopic("missing"))).Code);
    }

    [Fact]
    public async Task Altered_configs_are_stored_with_a_new_version_and_validate_only_or_no_change_writes_nothing()
    {
        await Controller.CreateTopic("orders", 2, new Dictionary<string, string> { ["retention.ms"] = "60000" });
        TopicConfigChange Change(params TopicConfigAlteration[] alterations) => new("orders", alterations);
        var minInSync = new TopicConfigAlteration("min.insync.replicas", TopicConfigOperation.Set, "1");

        var validated = await Controller.AlterTopicConfigs([Change(minInSync)], validateOnly: true);
        Assert.Equal(ErrorCode.None, validated.Single().Error);
        Assert.Equal(0, (await StoredTopicAsync("orders")).ConfigVersion);

        var results = await Controller.AlterTopicConfigs(
            [Change(minInSync, new("retention.ms", TopicConfigOperation.Delete)), new("missing", [minInSync])]);
        Assert.Equal([ErrorCode.None, ErrorCode.UnknownTopicOrPartition], results.Select(r => r.Error));
        var stored = await StoredTopicAsync("orders");
        Assert.Equal((1, 1), (stored.ConfigVersion, stored.Config.MinInSyncReplicas));
        Assert.Equal(TopicConfig.Default.RetentionMs, stored.Config.RetentionMs);
        Assert.Equal(new Dictionary<string, string> { ["min.insync.replicas"] = "1" }, stored.SetConfigs);

        await Controller.AlterTopicConfigs([Change(minInSync)]);
        Assert.Equal(1, (await StoredTopicAsync("orders")).ConfigVersion);
    }

    /// <summary>The topic as the controller's storage holds it, read past the controller.</summary>
    private async Task<TopicMetadata> StoredTopicAsync(string name)
    {
        var stored = new GrainState<ClusterMetadataState>(new ClusterMetadataState());
        await _cluster.SiloServices.GetRequiredKeyedService<IGrainStorage>(HubStorage.Name)
            .ReadStateAsync(ClusterMetadataStore.StateName, Controller.GetGrainId(), stored);
        return stored.State!.Topics[name];
    }

    [Fact]
    public async Task A_write_that_loses_to_another_writer_ends_the_activation_and_its_decision_is_never_seen()
    {
        await Controller.CreateTopic("first", 1);
        // Another writer (in effect a second controller activation) stores the metadata behind this one's back.
        var storage = _cluster.SiloServices.GetRequiredKeyedService<IGrainStorage>(HubStorage.Name);
        var stored = new GrainState<ClusterMetadataState>(new ClusterMetadataState());
        await storage.ReadStateAsync(ClusterMetadataStore.StateName, Controller.GetGrainId(), stored);
        stored.State!.Topics["other"] = stored.State.Topics["first"] with { Name = "other" };
        await storage.WriteStateAsync(ClusterMetadataStore.StateName, Controller.GetGrainId(), stored);

        var refused = await Assert.ThrowsAsync<HubException>(() => Controller.CreateTopic("stale", 1));

        Assert.Equal(ErrorCode.RequestTimedOut, refused.Code);
        // The fenced activation answers nothing more; the next one answers from what is stored.
        string[] names = [];
        await WaitUntilAsync(async () =>
        {
            try
            {
                names = (await Controller.ListTopics()).Select(t => t.Name).ToArray();
                return true;
            }
            catch (HubException e) when (e.Code == ErrorCode.RequestTimedOut)
            {
                return false;
            }
        }, "a controller activation answers again");
        Assert.Equal(["first", "other"], names);
        Assert.Null(await Controller.GetTopic("stale"));
        await Controller.CreateTopic("stale", 1);
    }
}
