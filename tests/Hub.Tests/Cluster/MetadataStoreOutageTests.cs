using System.Diagnostics;
using Hub.Errors;
using Hub.Topics;
using Xunit.Abstractions;

namespace Hub.Tests.Cluster;

/// <summary>
/// Three real silos on a real Redis that is stopped and started again (issue 14 item 10): while the metadata store
/// is down, metadata changes stop with a retriable error and nothing already decided is rolled back; a broker
/// that dies meanwhile is dealt with once the store is back, and the refused change then goes through.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class MetadataStoreOutageTests(ITestOutputHelper output)
{
    private const int Brokers = 3;

    /// <summary>The broker killed while the store is down (any but broker 0, the admin client's gateway).</summary>
    private const int Victim = 2;

    /// <summary>Bounds each wait: the controller's write gives up after its retries (a few Redis timeouts).</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Metadata_changes_stop_while_the_store_is_down_and_the_cluster_converges_once_it_is_back()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(Brokers);
        var silos = cluster.Silos;
        var watch = Stopwatch.StartNew();
        try
        {
            await using var admin = await silos[0].ConnectAsync();
            // Silos started together join one by one: until the controller counts all three, RF 3 is refused.
            var before = await RetryAsync(() => admin.Admin.CreateTopicAsync("before", Brokers,
                new Dictionary<string, string> { [TopicConfig.MinInSyncReplicasKey] = "2" }, replicationFactor: Brokers), "creating the first topic");
            var ledByVictim = before.Partitions.Single(p => p.Leader == Victim);

            await cluster.Redis.StopAsync();
            var refused = await Assert.ThrowsAsync<HubException>(() => admin.Admin.CreateTopicAsync("during", 1, replicationFactor: 1));
            Assert.Equal(ErrorCode.RequestTimedOut, refused.Code);
            output.WriteLine($"{watch.Elapsed}: refused while the store is down: {refused.Message}");
            // A membership change the store can't record yet: the cluster must decide it once the store is back.
            await silos[Victim].KillAsync();
            await cluster.Redis.RestartAsync();
            output.WriteLine($"{watch.Elapsed}: store back");

            var created = await RetryAsync(() => admin.Admin.CreateTopicAsync("during", 1, replicationFactor: 1), "creating the refused topic");
            Assert.Equal("during", created.Name);
            var after = await RetryAsync(async () =>
            {
                var topic = (await admin.Admin.ListTopicsAsync()).Single(t => t.Name == "before");
                var moved = topic.Partitions[ledByVictim.Partition];
                return moved.Leader != Victim && moved.HasLeader ? topic : throw new TimeoutException($"partition {moved.Partition} is still led by {moved.Leader}");
            }, "electing a leader in place of the killed broker");
            output.WriteLine($"{watch.Elapsed}: converged");

            Assert.Equal(before.TopicId, after.TopicId);
            var elected = after.Partitions[ledByVictim.Partition];
            Assert.True(elected.LeaderEpoch > ledByVictim.LeaderEpoch);
            Assert.True(elected.Version > ledByVictim.Version);
            Assert.DoesNotContain(Victim, elected.InSync);
            Assert.All(after.Partitions.Zip(before.Partitions), pair => Assert.True(pair.First.LeaderEpoch >= pair.Second.LeaderEpoch));
        }
        catch
        {
            foreach (var silo in silos) output.WriteLine($"--- broker {silo.BrokerId}:\n{silo.Output}");
            // Silos stop gracefully only with their store there: without it disposing would time out and hide the failure.
            await cluster.Redis.RestartAsync();
            throw;
        }
    }

    /// <summary>Repeats <paramref name="call"/> until it succeeds (the store and membership settle), within <see cref="StepTimeout"/>.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StepTimeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (Stopwatch.GetTimestamp() < deadline && e is not HubException { Code: ErrorCode.TopicAlreadyExists })
            {
                await Task.Delay(200);
            }
            catch (Exception e)
            {
                throw new TimeoutException($"{what} did not succeed within {StepTimeout}", e);
            }
        }
    }
}
