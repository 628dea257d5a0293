using System.Net;
using Hub.Faults.Checking;
using Hub.Faults.History;
using Hub.Faults.Workloads;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Hub.Topics;
using Xunit.Abstractions;

namespace Hub.Tests.Faults;

/// <summary>
/// The fault-injection suite's workloads and observers against three real silos with no fault: every producer
/// (Confluent.Kafka, kafkajs, the SDK) gets records acknowledged on every partition, the observers record metadata
/// and consumed records, the read-back finds it all, and the checker finds nothing wrong.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class StandardWorkloadsTests(ITestOutputHelper output)
{
    private const int Brokers = 3;
    private const int Partitions = 3;
    private const int MinInsync = 2;
    private const string Topic = "workloads";

    /// <summary>Acknowledgements each producer must get on each partition: a couple of seconds of its pace.</summary>
    private const int AcksPerStream = 20;

    /// <summary>Generous for a loaded two-core machine: clients connect, the kafkajs process starts.</summary>
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    [KafkajsFact]
    public async Task Every_workload_writes_every_observer_sees_and_a_run_without_faults_checks_clean()
    {
        // Phases are timed in the output: on a loaded machine the silos' start dominates.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var cluster = await RedisSiloCluster.StartAsync(Brokers);
        await using (var admin = await cluster.Silos[0].ConnectAsync())
        {
            await admin.Admin.CreateTopicAsync(Topic, Partitions,
                new Dictionary<string, string> { [TopicConfig.MinInSyncReplicasKey] = "2" }, replicationFactor: Brokers);
        }
        var endpoints = new ClusterEndpoints(
            [.. cluster.Silos.Select(s => $"127.0.0.1:{s.KafkaPort}")],
            [.. cluster.Silos.Select(s => new IPEndPoint(IPAddress.Loopback, s.GatewayPort))],
            Topic, Partitions, Brokers, MinInsync);
        output.WriteLine($"topic created at {clock.Elapsed}");
        var history = new RunHistory();
        var workloads = StandardWorkloads.Create();
        var producers = workloads.OfType<ProducerWorkload>().Select(w => w.Name).ToArray();

        using var stop = new CancellationTokenSource();
        var running = workloads.Select(w => w.RunAsync(endpoints, history, stop.Token)).ToArray();
        using (var progress = new CancellationTokenSource(ProgressTimeout))
        {
            // The observers too: on a loaded machine a consumer's first fetch can come after the producers are done.
            while (!EveryStreamAcked(history.Snapshot(), producers) || !EveryPartitionObserved(history.Snapshot()))
                await Task.Delay(PollInterval, progress.Token);
        }
        output.WriteLine($"every stream acknowledged and every partition observed at {clock.Elapsed}");
        await stop.CancelAsync();
        await Task.WhenAll(running).WaitAsync(ProgressTimeout);
        output.WriteLine($"every workload stopped at {clock.Elapsed}");

        var events = history.Snapshot();
        var readBack = await ReadBack.ReadAsync(endpoints);
        output.WriteLine($"read back at {clock.Elapsed}");
        var report = Checker.Check(events, readBack, MinInsync, seed: 0);
        var printed = new StringWriter();
        report.Print(printed);
        output.WriteLine(printed.ToString());

        Assert.True(report.Passed, printed.ToString());
        Assert.True(EveryPartitionObserved(events));
    }

    /// <summary>The metadata sampler saw every partition with its replicas and an epoch, and the live consumers read from each.</summary>
    private static bool EveryPartitionObserved(IReadOnlyList<HistoryEvent> events) =>
        events.OfType<MetadataSeen>().Where(m => m.Replicas?.Count == Brokers && m.LeaderEpoch >= 0).Select(m => m.Partition).Distinct().Count() == Partitions
        && events.OfType<RecordConsumed>().Select(c => c.Partition).Distinct().Count() == Partitions;

    private static bool EveryStreamAcked(IReadOnlyList<HistoryEvent> events, string[] producers)
    {
        var acks = events.OfType<ProduceAcked>().GroupBy(a => (a.Workload, a.Partition)).ToDictionary(g => g.Key, g => g.Count());
        return producers.All(w => Enumerable.Range(0, Partitions).All(p => acks.GetValueOrDefault((w, p)) >= AcksPerStream));
    }
}
