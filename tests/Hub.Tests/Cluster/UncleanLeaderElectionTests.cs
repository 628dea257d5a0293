using Hub.Grains;
using Hub.Partitions;
using Hub.Topics;

namespace Hub.Tests.Cluster;

/// <summary>
/// unclean.leader.election.enable on two real silo processes: with the only in-sync replica dead and the other replica
/// back but out of sync, the partition has no leader; once the topic allows unclean election, the controller makes
/// the out-of-sync replica leader at once, and the records only the dead replica had are lost, as in Kafka.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class UncleanLeaderElectionTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_out_of_sync_replica_leads_only_once_the_topic_allows_it()
    {
        const string topic = "unclean";
        await using var cluster = await RedisSiloCluster.StartAsync(2);
        int leader, follower;
        await using (var client = await cluster.Silos[0].ConnectAsync())
        {
            var created = await client.Admin.CreateTopicAsync(topic, 1, replicationFactor: 2);
            leader = created.Partitions[0].Leader;
            follower = 1 - leader;
            var leading = client.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, leader));
            Assert.Equal(0, (await leading.Append(Batch("on both"), RequiredAcks.All)).BaseOffset);

            await cluster.Silos[follower].KillAsync();
            await ReplicationFailoverTests.WaitForIsrAsync(client, topic, isr => isr.SequenceEqual([leader]));
            Assert.Equal(1, (await leading.Append(Batch("on the leader only"), RequiredAcks.Leader)).BaseOffset);
        }

        await cluster.Silos[leader].KillAsync();
        cluster.Silos[follower] = await cluster.Silos[follower].RestartAsync();
        await using var survivor = await cluster.Silos[follower].ConnectAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        PartitionAssignment offline;
        // The controller takes the dead leader's membership report a moment after the restart.
        while ((offline = await PartitionAsync(survivor, topic)).HasLeader) await Task.Delay(100, timeout.Token);
        Assert.Equal([leader], offline.InSync); // the live out-of-sync replica was not elected

        await survivor.Admin.AlterTopicConfigAsync(topic, [new(TopicConfig.UncleanLeaderElectionEnableKey, TopicConfigOperation.Set, "true")]);

        PartitionAssignment elected;
        while ((elected = await PartitionAsync(survivor, topic)).Leader != follower) await Task.Delay(100, timeout.Token);
        Assert.Equal([follower], elected.InSync);
        Assert.True(elected.LeaderEpoch > offline.LeaderEpoch);
        var newLeader = survivor.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, follower));
        AppendResult after;
        while (true)
        {
            try
            {
                after = await newLeader.Append(Batch("after the unclean election"), RequiredAcks.All);
                break;
            }
            catch (Hub.Errors.HubException e) when (e.Code is Hub.Errors.ErrorCode.NotLeaderOrFollower && !timeout.IsCancellationRequested)
            {
                await Task.Delay(100, timeout.Token); // the replica hears of its leadership just after the controller stored it
            }
        }
        Assert.Equal(1, after.BaseOffset); // the record only the dead leader had is gone
    }

    private static PooledBatches Batch(string value) =>
        PooledBatches.Borrow(Log.TestBatches.Build(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), value));

    private static async Task<PartitionAssignment> PartitionAsync(Hub.Client.HubClient client, string topic) =>
        (await client.Admin.ListTopicsAsync()).Single(t => t.Name == topic).Partitions[0];
}
