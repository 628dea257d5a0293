using System.Diagnostics;
using Hub.Benchmarks.Measure;
using Hub.Client;
using Hub.Tests.Cluster;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// How a silo's memory grows with partitions, on a fresh silo of its own: the resident memory an idle partition
/// costs (each partition written once, so its grain and log are open), then one silo loaded up to many
/// partitions: how long creating them and writing one record to each takes, and the memory it ends with.
/// </summary>
public static class PartitionScaleScenario
{
    public static async Task RunAsync(BenchContext context)
    {
        await using var silo = await SiloProcess.StartAsync(Path.Combine(context.DataDirectory, "scale-silo"));
        await using var client = await silo.ConnectAsync();
        await Task.Delay(context.Options.Settle);
        var baseline = ProcessStats.ResidentBytes(silo.ProcessId);

        var idle = context.Options.IdlePartitions;
        await CreateAndTouchAsync(client, "idle", idle);
        await Task.Delay(context.Options.Settle);
        var withIdle = ProcessStats.ResidentBytes(silo.ProcessId);
        context.Add("silo memory per 1,000 idle partitions", (withIdle - baseline) / 1e6 * 1000 / idle, "MB",
            $"RSS {baseline / 1e6:F0} MB fresh, {withIdle / 1e6:F0} MB with {idle:N0} partitions written once");

        var total = context.Options.ManyPartitions;
        var started = Stopwatch.GetTimestamp();
        await CreateAndTouchAsync(client, "many", total - idle);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Task.Delay(context.Options.Settle);
        var loaded = ProcessStats.ResidentBytes(silo.ProcessId);
        context.Add($"one silo, {total:N0} partitions: create + 1 record each", seconds, "s",
            $"{total - idle:N0} partitions created and written after the {idle:N0} above");
        context.Add($"one silo, {total:N0} partitions: RSS", loaded / 1e6, "MB", $"{(loaded - baseline) / 1e6 / total * 1000:F0} MB per 1,000 above a fresh silo");
    }

    /// <summary>Creates a topic and writes one record to each of its partitions, so every partition's grain and log are open.</summary>
    private static async Task CreateAndTouchAsync(HubClient client, string topic, int partitions)
    {
        await client.Admin.CreateTopicAsync(topic, partitions);
        await using var producer = client.CreateProducer();
        var value = new byte[100];
        for (var partition = 0; partition < partitions; partition++)
            producer.Produce(topic, new ProducerRecord { Value = value, Partition = partition });
        await producer.FlushAsync();
    }
}
