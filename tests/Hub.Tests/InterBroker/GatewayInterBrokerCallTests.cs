using Hub.Silo.InterBroker;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using static Hub.Tests.Groups.GroupTesting;
using static Hub.Tests.InterBroker.InterBrokerRefusals;

namespace Hub.Tests.InterBroker;

/// <summary>The real silo process, as ./run.sh starts it, refuses inter-broker calls from an SDK client on its gateway (issue 16).</summary>
public sealed class GatewayInterBrokerCallTests
{
    private const string Topic = "guarded";

    [Fact]
    public async Task An_SDK_client_is_refused_inter_broker_calls_and_its_ordinary_calls_still_work()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using var hub = await silo.ConnectAsync();
        var assignment = (await hub.Admin.CreateTopicAsync(Topic, 1)).Partitions[0];
        await ProduceAsync(hub, Topic, 1);
        var replica = hub.Grains.GetGrain<IInterBrokerPartitionGrain>(Replica(Topic));

        await replica.ApplyAssignment(Rogue(assignment));
        await WaitUntilAsync(() => silo.Output.Contains(Warning("IInterBrokerPartitionGrain.ApplyAssignment")), "the silo logs the refused assignment");
        await AssertRefusedAsync(() => replica.DeleteLog(), "IInterBrokerPartitionGrain.DeleteLog");
        await AssertRefusedAsync(() => hub.Grains.GetGrain<IInterBrokerControllerGrain>(0).AlterIsr(Topic, 0, assignment.Leader, assignment.Version, [assignment.Leader]),
            "IInterBrokerControllerGrain.AlterIsr");

        Assert.True(File.Exists(FirstSegment(data.Path, Topic)), "the replica's log is gone");
        await ProduceAsync(hub, Topic, 1, first: 1);
        Assert.Equal(["0", "1"], await SdkValues.ReadAsync(hub, Topic, 2, Bound));
        Assert.Equal(assignment.Version, (await hub.Admin.ListTopicsAsync()).Single(t => t.Name == Topic).Partitions[0].Version);
    }
}
