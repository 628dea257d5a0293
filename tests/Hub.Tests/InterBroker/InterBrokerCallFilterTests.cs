using Hub.Silo.InterBroker;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Hub.Topics;
using Microsoft.Extensions.DependencyInjection;
using static Hub.Tests.Groups.GroupTesting;
using static Hub.Tests.InterBroker.InterBrokerRefusals;

namespace Hub.Tests.InterBroker;

/// <summary>
/// An Orleans client that reaches the gateway is refused every inter-broker call and changes nothing by trying, while
/// the silo's own inter-broker calls and the client's ordinary ones go through (issue 16).
/// </summary>
public sealed class InterBrokerCallFilterTests : IAsyncLifetime
{
    private const string Topic = "guarded";
    private static readonly string FilterCategory = typeof(InterBrokerCallFilter).FullName!;

    private HubTestCluster _cluster = null!;
    private PartitionAssignment _assignment = null!;

    public async Task InitializeAsync()
    {
        _cluster = await HubTestCluster.StartAsync(configurators: [typeof(SiloLogCapture.Configurator)]);
        _assignment = (await _cluster.Client.Admin.CreateTopicAsync(Topic, 1)).Partitions[0];
        await ProduceAsync(_cluster.Client, Topic, 1);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private IReadOnlyList<string> Refusals => _cluster.SiloServices.GetRequiredService<SiloLogCapture>().Messages(FilterCategory);

    [Fact]
    public async Task A_clients_inter_broker_calls_are_refused_and_change_nothing()
    {
        var replica = _cluster.Grains.GetGrain<IInterBrokerPartitionGrain>(Replica(Topic));
        var controller = _cluster.Grains.GetGrain<IInterBrokerControllerGrain>(0);

        // One-way: the client hears nothing back, so the refusal shows in the silo's log only.
        await replica.ApplyAssignment(Rogue(_assignment));
        await WaitUntilAsync(() => Refusals.Any(m => m.StartsWith(Warning("IInterBrokerPartitionGrain.ApplyAssignment"))), "the silo logs the refused assignment");
        await AssertRefusedAsync(() => replica.DeleteLog(), "IInterBrokerPartitionGrain.DeleteLog");
        await AssertRefusedAsync(() => replica.ReplicaFetch(FetchFrom(0, _assignment.LeaderEpoch)), "IInterBrokerPartitionGrain.ReplicaFetch");
        await AssertRefusedAsync(() => controller.AlterIsr(Topic, 0, _assignment.Leader, _assignment.Version, [_assignment.Leader]),
            "IInterBrokerControllerGrain.AlterIsr");
        Assert.Single(Refusals);

        Assert.Equal(_assignment.Version, (await controller.GetTopic(Topic))!.Partitions[0].Version);
        Assert.True(await HandAssignments.LeadsInAsync(_cluster.SiloGrains.GetGrain<IInterBrokerPartitionGrain>(Replica(Topic)), _assignment.LeaderEpoch),
            "the replica left its leader epoch");
        Assert.True(File.Exists(FirstSegment(_cluster.DataDirectory, Topic)), "the replica's log is gone");
        Assert.Equal(1, (await replica.GetState()).LogEndOffset);
        await ProduceAsync(_cluster.Client, Topic, 1, first: 1);
        Assert.Equal(["0", "1"], await SdkValues.ReadAsync(_cluster.Client, Topic, 2, Bound));
    }

    [Fact]
    public async Task The_silos_own_inter_broker_calls_go_through()
    {
        var replica = _cluster.SiloGrains.GetGrain<IInterBrokerPartitionGrain>(Replica(Topic));
        var controller = _cluster.SiloGrains.GetGrain<IInterBrokerControllerGrain>(0);

        var next = _assignment with { LeaderEpoch = _assignment.LeaderEpoch + 1, Version = _assignment.Version + 1 };
        await HandAssignments.ApplyAsLeaderAsync(replica, next);
        var fetched = await replica.ReplicaFetch(FetchFrom(0, next.LeaderEpoch));
        using (fetched.Records) Assert.False(fetched.Records.IsEmpty);
        Assert.Equal(_assignment.Version + 1, (await controller.AlterIsr(Topic, 0, _assignment.Leader, _assignment.Version, [_assignment.Leader])).Version);
        await replica.DeleteLog();
        Assert.False(File.Exists(FirstSegment(_cluster.DataDirectory, Topic)), "the replica's log is still there");
        Assert.Empty(Refusals);
    }

    [Fact]
    public async Task A_clients_ordinary_calls_go_through_including_those_that_make_the_controller_call_replicas()
    {
        await ProduceAsync(_cluster.Client, Topic, 1, first: 1);
        Assert.Equal(["0", "1"], await SdkValues.ReadAsync(_cluster.Client, Topic, 2, Bound));
        Assert.Equal(2, (await _cluster.Client.Admin.DescribeTopicAsync(Topic)).Partitions[0].LogEndOffset);

        // DeleteTopic is the client's to call; the controller then calls DeleteLog on the replicas itself.
        await _cluster.Client.Admin.DeleteTopicAsync(Topic);
        Assert.False(File.Exists(FirstSegment(_cluster.DataDirectory, Topic)), "the deleted topic's log is still there");
        Assert.Empty(Refusals);
    }
}
