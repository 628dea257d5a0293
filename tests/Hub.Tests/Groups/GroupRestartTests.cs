using Hub.Groups;
using Hub.Tests.Cluster;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Groups;

/// <summary>Committed offsets survive a restart of the whole cluster (its own cluster: the test restarts it).</summary>
public sealed class GroupRestartTests : IAsyncLifetime
{
    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(settings: FastGroups());

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_group_resumes_from_its_committed_offsets_after_a_cluster_restart()
    {
        await _cluster.Client.Admin.CreateTopicAsync("ledger", 2);
        await ProduceAsync(_cluster.Client, "ledger", 100);
        var first = new HashSet<(int, long)>();
        await using (var consumer = _cluster.Client.CreateGroupConsumer(Options("bookkeepers", "ledger", autoCommit: false)))
        {
            using var timeout = new CancellationTokenSource(Bound);
            await foreach (var result in consumer.ConsumeAsync(timeout.Token))
            {
                first.Add((result.Partition, result.Record.Offset));
                if (first.Count == 40) break;
            }
            await consumer.CommitAsync(timeout.Token);
        }

        _cluster = await _cluster.RestartAsync();

        // A partition whose leader has not taken its role yet shows no log end, so no lag: wait for both.
        var committed = await _cluster.Client.Admin.DescribeGroupAsync("bookkeepers");
        await WaitUntilAsync(async () => (committed = await _cluster.Client.Admin.DescribeGroupAsync("bookkeepers")).Partitions.All(p => p.Lag is not null),
            "both partitions' lags are known after the restart");
        Assert.Equal(GroupState.Empty, committed.State);
        Assert.Equal(40, committed.Partitions.Sum(p => p.CommittedOffset));
        Assert.Equal(60, committed.Partitions.Sum(p => p.Lag));

        var rest = new List<(int, long)>();
        await using (var consumer = _cluster.Client.CreateGroupConsumer(Options("bookkeepers", "ledger")))
        {
            using var timeout = new CancellationTokenSource(Bound);
            await foreach (var result in consumer.ConsumeAsync(timeout.Token))
            {
                rest.Add((result.Partition, result.Record.Offset));
                if (rest.Count == 60) break;
            }
        }
        Assert.Equal(100, first.Union(rest).Count());
        Assert.Empty(first.Intersect(rest));
    }
}
