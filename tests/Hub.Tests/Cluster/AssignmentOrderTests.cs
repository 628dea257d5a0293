using System.Diagnostics;
using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.InterBroker;

namespace Hub.Tests.Cluster;

/// <summary>
/// A partition replica never takes an assignment that goes back in leader epoch, whatever its version (issue 14
/// item 3): one epoch must mean one leader, which the leader's epoch fencing and divergence checks rely on.
/// </summary>
public sealed class AssignmentOrderTests : IAsyncLifetime
{
    /// <summary>How long the replica is watched after the older assignment: it arrives within milliseconds.</summary>
    private static readonly TimeSpan RefusalWatch = TimeSpan.FromSeconds(2);

    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_newer_version_with_an_older_epoch_is_ignored()
    {
        var created = await _cluster.Client.Admin.CreateTopicAsync("epochs", 1);
        var replica = _cluster.SiloGrains.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format("epochs", 0, brokerId: 0));
        var current = created.Partitions[0];
        await HandAssignments.ApplyAsLeaderAsync(replica, current with { LeaderEpoch = 3, Version = current.Version + 1 });

        await replica.ApplyAssignment(current with { LeaderEpoch = 2, Version = current.Version + 2 });

        // A one-way call may be overtaken by later calls: watch for a while that the replica keeps epoch 3.
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < RefusalWatch;)
            Assert.True(await HandAssignments.LeadsInAsync(replica, epoch: 3), "the replica went back to epoch 2");
        var fenced = await Assert.ThrowsAsync<HubException>(() => replica.ReplicaFetch(FetchFor(epoch: 2)));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, fenced.Code);
    }

    private static ReplicaFetchRequest FetchFor(int epoch) =>
        new(ReplicaBrokerId: 1, LeaderEpoch: epoch, FetchOffset: 0, LastFetchedEpoch: -1, MaxBytes: 1024, MaxWaitMs: 0);
}
