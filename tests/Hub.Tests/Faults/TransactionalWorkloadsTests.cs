using System.Net;
using Hub.Faults.Checking;
using Hub.Faults.History;
using Hub.Faults.Workloads;
using Hub.Tests.Cluster;
using Hub.Topics;
using Xunit.Abstractions;

namespace Hub.Tests.Faults;

/// <summary>
/// The fault-injection suite's transactional workloads against three real silos with no fault: both transactional
/// ids commit and abort transactions, the read_committed consumer sees records, the read_committed read-back finds
/// every committed transaction whole and no aborted one, and the checker finds nothing wrong.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class TransactionalWorkloadsTests(ITestOutputHelper output)
{
    private const int Brokers = 3;
    private const int Partitions = 3;
    private const int MinInsync = 2;
    private const string Topic = "workloads-txn";

    /// <summary>Committed transactions each id must reach: a couple of seconds of its pace, with an abort among them.</summary>
    private const int CommittedPerId = 10;

    /// <summary>Generous for a loaded two-core machine: producers find their coordinator and initialize.</summary>
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Transactions_commit_and_abort_and_a_run_without_faults_checks_clean()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(Brokers);
        await using (var admin = await cluster.Silos[0].ConnectAsync())
        {
            await admin.Admin.CreateTopicAsync(Topic, Partitions,
                new Dictionary<string, string> { [TopicConfig.MinInSyncReplicasKey] = $"{MinInsync}" }, replicationFactor: Brokers);
        }
        var endpoints = new ClusterEndpoints(
            [.. cluster.Silos.Select(s => $"127.0.0.1:{s.KafkaPort}")],
            [.. cluster.Silos.Select(s => new IPEndPoint(IPAddress.Loopback, s.GatewayPort))],
            Topic, Partitions, Brokers, MinInsync);
        var history = new RunHistory();
        var workloads = TransactionalWorkloads.Create();

        using var stop = new CancellationTokenSource();
        var running = workloads.Select(w => w.RunAsync(endpoints, history, stop.Token)).ToArray();
        using (var progress = new CancellationTokenSource(ProgressTimeout))
        {
            while (!EnoughEnded(history.Snapshot()) || !history.Snapshot().OfType<CommittedRecordConsumed>().Any())
                await Task.Delay(PollInterval, progress.Token);
        }
        await stop.CancelAsync();
        await Task.WhenAll(running).WaitAsync(ProgressTimeout);

        var events = history.Snapshot();
        var readBack = await ReadBack.ReadCommittedAsync(endpoints);
        var report = Checker.Check(events, [], MinInsync, seed: 0, readBack);
        var printed = new StringWriter();
        report.Print(printed);
        output.WriteLine(printed.ToString());

        Assert.True(report.Passed, printed.ToString());
        var tally = report.Table.Single(r => r.Kind == FaultKindRow.All).Transactions;
        Assert.True(tally is { Committed: >= CommittedPerId * 2, Aborted: > 0, Unknown: 0 }, $"transactions committed/aborted/unknown: {tally}");
        Assert.Equal(tally.Committed * TransactionalWorkload.RecordsPerTransaction, readBack.Sum(p => p.Records.Count));
    }

    private static bool EnoughEnded(IReadOnlyList<HistoryEvent> events)
    {
        var ended = events.OfType<TransactionEnded>().ToList();
        return TransactionalWorkloads.Ids.All(id =>
            ended.Count(e => e.Transaction.StartsWith($"{id}/", StringComparison.Ordinal) && e.Outcome == TransactionOutcome.Committed) >= CommittedPerId
            && ended.Any(e => e.Transaction.StartsWith($"{id}/", StringComparison.Ordinal) && e.Outcome == TransactionOutcome.Aborted));
    }
}
