using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Configuration;
using Hub.Silo.Storage;
using Hub.Tests.Log;
using Hub.Tests.Support;
using Hub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Hub.Tests.Cluster;

/// <summary>
/// A silo whose disk fails (issue 14 item 6), failed from outside as the fault-injection suite does it: the marker
/// file <c>&lt;DataDirectory&gt;/fault-injection/fail-io</c> in a silo run with Hub:FaultInjection:Enabled.
/// </summary>
public sealed class LogDirectoryFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> FaultInjection = new() { ["FaultInjection:Enabled"] = "true" };

    [Fact]
    public async Task A_failed_disk_refuses_writes_and_reads_with_KAFKA_STORAGE_ERROR_until_a_restart_recovers_the_log()
    {
        var cluster = await HubTestCluster.StartAsync(settings: FaultInjection);
        try
        {
            await cluster.Client.Admin.CreateTopicAsync("disk", 1);
            var partition = cluster.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format("disk", 0, brokerId: 0));
            Assert.Equal(0, (await partition.Append(Batch("acked"), RequiredAcks.Leader)).BaseOffset);

            var faults = cluster.SiloServices.GetRequiredService<IoFaultSwitch>();
            var marker = FailIoMarker(cluster.DataDirectory);
            File.WriteAllText(marker, "");
            await WaitUntil(() => faults.IsFailing);
            Assert.Equal(ErrorCode.KafkaStorageError, (await Assert.ThrowsAsync<HubException>(() => partition.Append(Batch("refused"), RequiredAcks.Leader))).Code);

            // Offline for the rest of this silo's life, healed disk or not.
            File.Delete(marker);
            await WaitUntil(() => !faults.IsFailing);
            Assert.Equal(ErrorCode.KafkaStorageError, (await Assert.ThrowsAsync<HubException>(() => partition.Append(Batch("later"), RequiredAcks.Leader))).Code);
            Assert.Equal(ErrorCode.KafkaStorageError, (await Assert.ThrowsAsync<HubException>(() => partition.Fetch(new FetchRequest(0, 1 << 20)))).Code);

            cluster = await cluster.RestartAsync();
            partition = cluster.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format("disk", 0, brokerId: 0));
            Assert.Equal(1, await WaitForLeaderAppend(partition, "after restart"));
            using var read = (await partition.Fetch(new FetchRequest(0, 1 << 20))).Records;
            Assert.Equal(["acked", "after restart"], TestBatches.Records(read.Memory).Select(r => r.Value));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_fault_injection_the_silo_has_no_fault_switch()
    {
        await using var cluster = await HubTestCluster.StartAsync();
        Assert.Null(cluster.SiloServices.GetService<IoFaultSwitch>());
    }

    internal static string FailIoMarker(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "fault-injection");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, FaultInjectionOptions.FailIoMarker);
    }

    internal static PooledBatches Batch(string value) =>
        PooledBatches.Borrow(TestBatches.Build(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), value));

    internal static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition()) await Task.Delay(FailIoMarkerWatcher.CheckInterval, timeout.Token);
    }

    /// <summary>Appends once the partition has a leader again (the controller re-elects it when the restarted silo joins).</summary>
    private static async Task<long> WaitForLeaderAppend(IPartitionGrain partition, string value)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            try
            {
                return (await partition.Append(Batch(value), RequiredAcks.Leader)).BaseOffset;
            }
            catch (HubException e) when (StaleMetadata.IsSignalledBy(e.Code))
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }
}

/// <summary>The same with three real silo processes: the partition fails over to a replica with a working disk.</summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class LogDirectoryFailoverTests(ITestOutputHelper output)
{
    private const string Topic = "diskfail";
    /// <summary>acks=all appends in flight at once: when the disk fails, some are being written and some wait for the followers.</summary>
    private const int Writers = 4;
    private const int AckedBeforeFailure = 200;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Appends_in_flight_get_KAFKA_STORAGE_ERROR_and_another_replica_takes_over_with_every_acked_record()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(3, new Dictionary<string, string> { ["Hub:FaultInjection:Enabled"] = "true" });
        var silos = cluster.Silos;
        try
        {
            int failed;
            await using (var admin = await silos[0].ConnectAsync())
            {
                var created = await admin.Admin.CreateTopicAsync(Topic, 1,
                    new Dictionary<string, string> { [TopicConfig.MinInSyncReplicasKey] = "2" }, replicationFactor: 3);
                failed = created.Partitions[0].Leader;
            }
            // Through a silo that stays up: the failed one is restarted on fresh ports at the end.
            await using var client = await silos.First(s => s.BrokerId != failed).ConnectAsync();
            var leader = client.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(Topic, 0, failed));

            // Writers append acks=all until their first error; the disk fails under them.
            var acked = new List<string>();
            var writers = Enumerable.Range(0, Writers).Select(w => WriteUntilRefused(leader, w, acked)).ToArray();
            using (var timeout = new CancellationTokenSource(Bound))
            {
                while (Count(acked) < AckedBeforeFailure) await Task.Delay(10, timeout.Token);
            }
            File.WriteAllText(LogDirectoryFailureTests.FailIoMarker(Path.Combine(cluster.DataPath, $"broker-{failed}")), "");
            var refusals = await Task.WhenAll(writers).WaitAsync(Bound);
            Assert.All(refusals, refused => Assert.Equal(ErrorCode.KafkaStorageError, refused.Code));

            // The controller moves leadership to a follower and drops the failed broker from the ISR.
            var moved = await WaitForAssignment(client, p => p.Leader != failed && p.HasLeader && !p.InSync.Contains(failed));
            Assert.Equal(ErrorCode.KafkaStorageError, (await Assert.ThrowsAsync<HubException>(() => leader.GetState())).Code);
            var newLeader = client.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(Topic, 0, moved.Leader));
            await newLeader.Append(LogDirectoryFailureTests.Batch("after failover"), RequiredAcks.All);
            acked.Add("after failover");

            // Every acknowledged record is there, once: none was acknowledged on the failed disk alone.
            var stored = await ReadAll(newLeader);
            Assert.Empty(acked.Except(stored));
            Assert.Equal(stored.Count, stored.Distinct().Count());

            // A restart with a healed disk recovers the log; the replica catches up and rejoins the ISR.
            File.Delete(LogDirectoryFailureTests.FailIoMarker(Path.Combine(cluster.DataPath, $"broker-{failed}")));
            await silos[failed].StopAsync();
            silos[failed] = await silos[failed].RestartAsync();
            await WaitForAssignment(client, p => p.InSync.Contains(failed));
        }
        catch
        {
            foreach (var silo in silos) output.WriteLine($"--- broker {silo.BrokerId}:\n{silo.Output}");
            throw;
        }
    }

    /// <summary>Appends "w-i" records with acks=all one after another, noting each acknowledged one; returns the first refusal.</summary>
    private static async Task<HubException> WriteUntilRefused(IPartitionGrain leader, int writer, List<string> acked)
    {
        for (var i = 0; ; i++)
        {
            var value = $"{writer}-{i}";
            try
            {
                await leader.Append(LogDirectoryFailureTests.Batch(value), RequiredAcks.All);
            }
            catch (HubException refused)
            {
                return refused;
            }
            lock (acked) acked.Add(value);
        }
    }

    private static int Count(List<string> acked)
    {
        lock (acked) return acked.Count;
    }

    private static async Task<PartitionAssignment> WaitForAssignment(Hub.Client.HubClient client, Func<PartitionAssignment, bool> done)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            var partition = (await client.Admin.ListTopicsAsync(timeout.Token)).Single(t => t.Name == Topic).Partitions[0];
            if (done(partition)) return partition;
            await Task.Delay(100, timeout.Token);
        }
    }

    private static async Task<List<string>> ReadAll(IPartitionGrain leader)
    {
        var values = new List<string>();
        var highWatermark = (await leader.GetState()).HighWatermark;
        for (long offset = 0; offset < highWatermark;)
        {
            using var records = (await leader.Fetch(new FetchRequest(offset, 1 << 20))).Records;
            var read = TestBatches.Records(records.Memory);
            values.AddRange(read.Select(r => r.Value));
            offset = read[^1].Offset + 1;
        }
        return values;
    }
}

/// <summary>One silo per data directory (issue 14 item 7), with two real silo processes.</summary>
public sealed class SiloDataDirectoryLockTests
{
    [Fact]
    public async Task A_second_silo_on_the_same_data_directory_fails_to_start_and_says_why()
    {
        using var data = new TempDirectory();
        await using var first = await SiloProcess.StartAsync(data.Path);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data.Path));

        Assert.Contains($"The data directory '{Path.GetFullPath(data.Path)}' is in use by another silo", refused.Message);
        await using var client = await first.ConnectAsync();
        await client.Admin.CreateTopicAsync("still-served", 1); // the first silo carries on
    }
}
