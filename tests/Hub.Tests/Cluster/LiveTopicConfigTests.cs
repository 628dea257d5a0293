using Hub.Client;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Tests.Support;
using Hub.Topics;

namespace Hub.Tests.Cluster;

/// <summary>
/// A topic config changed with <c>hub topics alter</c> (the CLI run as a user runs it, through the SDK and the
/// gateway) on two real silo processes: live replicas apply it without a restart, and a replica that was down when
/// it changed holds it once back.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class LiveTopicConfigTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Min_insync_replicas_raised_above_the_isr_refuses_acks_all_at_once_and_a_returning_replica_holds_it()
    {
        const string topic = "live-config";
        await using var cluster = await RedisSiloCluster.StartAsync(2);
        var silos = cluster.Silos;
        int leader;
        await using (var creator = await silos[0].ConnectAsync())
            leader = (await creator.Admin.CreateTopicAsync(topic, 1, replicationFactor: 2)).Partitions[0].Leader;
        var follower = 1 - leader;
        await using var client = await silos[leader].ConnectAsync();
        var leaderReplica = client.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, leader));

        await silos[follower].KillAsync();
        await ReplicationFailoverTests.WaitForIsrAsync(client, topic, isr => isr.Length == 1);
        await leaderReplica.Append(Batch(), RequiredAcks.All); // min.insync.replicas 1: one in sync will do

        await HubCli.RunAsync(silos[leader], null, HubCli.Timeout, "topics", "alter", topic, "--config", "min.insync.replicas=2");
        Assert.Equal(ErrorCode.NotEnoughReplicas, await FirstRefusalAsync(leaderReplica));
        var described = await HubCli.OutputLinesAsync(silos[leader], null, HubCli.Timeout, "topics", "describe", topic);
        Assert.Contains(described, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["min.insync.replicas", "2", "topic"]);
        Assert.Contains(described, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["retention.ms", "604800000", "default"]);
        var tooMany = await HubCli.TryRunAsync(silos[leader], null, null, HubCli.Timeout, HubCli.ConnectTimeoutSeconds,
            "topics", "alter", topic, "--config", "min.insync.replicas=3");
        Assert.NotEqual(0, tooMany.ExitCode);
        Assert.Contains("min.insync.replicas 3 is more than the replication factor 2", tooMany.Errors);

        // The follower was down through the change; back and in sync, then leading alone, it refuses acks=all too.
        silos[follower] = await silos[follower].RestartAsync();
        await ReplicationFailoverTests.WaitForIsrAsync(client, topic, isr => isr.Length == 2);
        await silos[leader].KillAsync();
        await using var survivor = await silos[follower].ConnectAsync();
        await ReplicationFailoverTests.WaitForIsrAsync(survivor, topic, isr => isr is [var only] && only == follower);
        var newLeader = survivor.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, follower));
        Assert.Equal(ErrorCode.NotEnoughReplicas, await RefusalOnceLeadingAsync(newLeader));

        await HubCli.RunAsync(silos[follower], null, HubCli.Timeout, "topics", "alter", topic, "--delete-config", "min.insync.replicas");
        var reverted = (await survivor.Admin.DescribeTopicAsync(topic)).Metadata;
        Assert.Equal(TopicConfig.Default.MinInSyncReplicas, reverted.Config.MinInSyncReplicas);
        Assert.Empty(reverted.SetConfigs!);
        await AcceptedAsync(newLeader);
    }

    private static PooledBatches Batch() => PooledBatches.Borrow(Log.TestBatches.Build(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "v"));

    /// <summary>Appends with acks=all until one is refused (the change reaches the replica a moment after the CLI returns); its error.</summary>
    private static async Task<ErrorCode> FirstRefusalAsync(IPartitionGrain replica) =>
        await RetriedAppendAsync(replica, error => error == ErrorCode.None);

    /// <summary>The answer to an acks=all append once the replica has taken over leadership (it says NOT_LEADER_OR_FOLLOWER until then).</summary>
    private static async Task<ErrorCode> RefusalOnceLeadingAsync(IPartitionGrain replica) =>
        await RetriedAppendAsync(replica, StaleMetadata.IsSignalledBy);

    /// <summary>Retries an acks=all append while it is refused for too few in-sync replicas (the deletion reaches the replica a moment after the CLI returns).</summary>
    private static async Task AcceptedAsync(IPartitionGrain replica) =>
        Assert.Equal(ErrorCode.None, await RetriedAppendAsync(replica, error => error == ErrorCode.NotEnoughReplicas));

    /// <summary>Appends a batch with acks=all while <paramref name="retry"/> says so of the answer (None: accepted), for at most <see cref="StepTimeout"/>.</summary>
    private static async Task<ErrorCode> RetriedAppendAsync(IPartitionGrain replica, Func<ErrorCode, bool> retry)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        while (true)
        {
            if (timeout.IsCancellationRequested) Assert.Fail($"acks=all appends were still answered as before after {StepTimeout.TotalSeconds} s");
            ErrorCode error;
            try
            {
                await replica.Append(Batch(), RequiredAcks.All);
                error = ErrorCode.None;
            }
            catch (HubException e)
            {
                error = e.Code;
            }
            if (!retry(error)) return error;
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
