using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;
using Hub.Benchmarks.Report;
using Hub.Tests.Cluster;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// Three silo processes on Redis clustering (as infra/local-cluster.sh runs them, but on free ports), a topic
/// with replication factor 3 created through Kafka's CreateTopics API, and acks=all produce: throughput, and
/// end-to-end latency at half of it. Reports "skipped" with the cluster's reason when it refuses RF=3.
/// </summary>
public static class ReplicationScenario
{
    private const int Brokers = 3;
    private const short ReplicationFactor = 3;
    private const string Topic = "replicated";

    public static async Task RunAsync(BenchContext context)
    {
        var name = $"produce SDK, {Brokers} silos, RF={ReplicationFactor}, acks=all, 100 B";
        var directory = Path.Combine(context.DataDirectory, "cluster");
        await using var redis = await RedisProcess.StartAsync(Path.Combine(directory, "redis"));
        var environment = new Dictionary<string, string>
        {
            ["HUB_Hub__Clustering__Provider"] = "Redis",
            ["HUB_Hub__Clustering__RedisConnectionString"] = redis.ConnectionString,
        };
        var silos = await Task.WhenAll(Enumerable.Range(0, Brokers).Select(broker =>
            SiloProcess.StartAsync(Path.Combine(directory, $"broker-{broker}"), broker, environment)));
        try
        {
            var bootstrap = string.Join(',', silos.Select(s => $"127.0.0.1:{s.KafkaPort}"));
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                try
                {
                    await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = Sizes.Partitions, ReplicationFactor = ReplicationFactor }]);
                }
                catch (CreateTopicsException e)
                {
                    var error = e.Results[0].Error;
                    context.Add(Figure.Skip(name, $"the cluster refused RF={ReplicationFactor}: {error.Code}: {error.Reason}", ProcessStats.LoadAverage()));
                    return;
                }
            }

            var pids = silos.Select(s => s.ProcessId).ToArray();
            await using var client = await silos[0].ConnectAsync();
            // A tenth of the single-silo count: every record is written three times, by three silos on the same two
            // cores, and a smoke run of this scenario measured 25,000-90,000 records/s on a loaded machine.
            var records = context.Options.Records100 / 10;
            var topic = await client.Admin.DescribeTopicAsync(Topic);
            var isr = topic.Metadata.Partitions.Min(p => p.Isr?.Length ?? p.Replicas.Length);
            var produced = await SdkLoad.ProduceAsync(client, Topic, records, Sizes.Small, pids);
            context.Add(name, produced.RecordsPerSecond, "records/s", $"smallest ISR at start {isr}; " + produced.CostSummary() + " (silo CPU: all three)");
            var kafka = await KafkaLoad.ProduceAsync(bootstrap, Topic, records, Sizes.Small, pids);
            await ThroughputScenarios.CheckStoredAsync(client, Topic, 2 * records);
            context.Add($"produce Confluent.Kafka (.NET), {Brokers} silos, RF={ReplicationFactor}, acks=all, 100 B", kafka.RecordsPerSecond, "records/s", kafka.CostSummary());
            var latency = await SdkLoad.EndToEndAsync(client, Topic, (long)(produced.RecordsPerSecond / 2), context.Options.LatencyRun, Sizes.Small, LatencyScenario.Producer);
            context.AddLatency($"100 B, {Brokers} silos, RF={ReplicationFactor}", "50% of peak", latency);
        }
        finally
        {
            foreach (var silo in silos) await silo.DisposeAsync();
        }
    }
}
