using Hub.Faults.Checking;
using Hub.Faults.Cluster;
using Hub.Faults.Faults;
using Hub.Faults.History;
using Hub.Faults.Workloads;

namespace Hub.Faults.Runner;

/// <summary>
/// One run: the cluster in namespaces, the topic and the transactional topic, the workloads writing, faults from the
/// seed until the budget is spent, then everything healed, the workloads stopped, the history checked and written.
/// </summary>
internal sealed class FaultRun(RunOptions options, string repositoryRoot)
{
    public const string Topic = "faults";

    public const string TransactionalTopic = Topic + TransactionalWorkloads.TopicSuffix;

    /// <summary>Before a fault, and for the rolling restart between brokers: a restart and catch-up take seconds, many seconds on a loaded machine.</summary>
    private static readonly TimeSpan HealthyBound = TimeSpan.FromSeconds(90);

    /// <summary>After the last fault every fault is healed and the cluster must converge: longer than <see cref="HealthyBound"/>, as a verdict.</summary>
    private static readonly TimeSpan FinalHealthyBound = TimeSpan.FromSeconds(180);

    /// <summary>Writes go on this long on the healed cluster, so each workload's last retries are acknowledged.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    /// <summary>A workload told to stop ends its in-flight sends within this.</summary>
    private static readonly TimeSpan WorkloadStopBound = TimeSpan.FromSeconds(60);

    public string ResultsDirectory { get; } = Path.GetFullPath(options.Results
        ?? Path.Combine(repositoryRoot, "faults-results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss")));

    /// <returns>The number of anomalies found.</returns>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(ResultsDirectory);
        var history = new RunHistory();
        using var log = new RunLog(() => history.Now, Path.Combine(ResultsDirectory, "run.log"));
        var dataRoot = Path.Combine(ResultsDirectory, "data");
        var settings = new FaultCluster.Settings(SiloDll(), options.Brokers, dataRoot, ResultsDirectory);
        log.Write($"results in {ResultsDirectory}");
        try
        {
            await using var cluster = await FaultCluster.StartAsync(settings, history, log.Write, ct);
            return await RunOnAsync(cluster, history, log, ct);
        }
        finally
        {
            HistoryFile.Write(Path.Combine(ResultsDirectory, HistoryFile.Name), history.Snapshot());
            if (!options.Keep && Directory.Exists(dataRoot)) Directory.Delete(dataRoot, recursive: true);
        }
    }

    private async Task<int> RunOnAsync(FaultCluster cluster, RunHistory history, RunLog log, CancellationToken ct)
    {
        var endpoints = cluster.Endpoints(Topic, options.Partitions, options.ReplicationFactor, options.MinInsyncReplicas) with { ClientLogDirectory = ResultsDirectory };
        var transactional = endpoints with { Topic = TransactionalTopic };
        foreach (var topic in options.Transactions ? [Topic, TransactionalTopic] : (string[])[Topic])
        {
            await cluster.Control.CreateTopicAsync(topic, options.Partitions, (short)options.ReplicationFactor, options.MinInsyncReplicas, ct);
            if (await cluster.WaitHealthyAsync(topic, options.Partitions, HealthyBound, ct) is { } notReady)
                throw new InvalidOperationException($"the new cluster did not become healthy: {notReady}");
        }
        log.Write($"cluster ready: topics {Topic}{(options.Transactions ? $" and {TransactionalTopic}" : "")}, {options.Partitions} partitions, RF {options.ReplicationFactor}, min.insync.replicas {options.MinInsyncReplicas}");

        using var stopWorkloads = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workloads = StandardWorkloads.Create().Select(w => (Workload: w, Endpoints: endpoints))
            .Concat(options.Transactions ? TransactionalWorkloads.Create().Select(w => (Workload: w, Endpoints: transactional)) : []).ToList();
        var running = workloads.Select(w => Task.Run(() => w.Workload.RunAsync(w.Endpoints, history, stopWorkloads.Token), CancellationToken.None)).ToList();
        log.Write($"workloads: {string.Join(", ", workloads.Select(w => w.Workload.Name))}");

        Task<string?> WaitHealthy(CancellationToken token) => cluster.WaitHealthyAsync(Topic, options.Partitions, HealthyBound, token);
        var context = new FaultContext(cluster, history, new Random(options.Seed), Topic, options.Partitions, log.Write);
        var injector = new FaultInjector(FaultCatalog.All(WaitHealthy).Where(f => options.Kinds.Contains(f.Kind)).ToList(),
            new FaultSchedule(options.Kinds, context.Random), context, WaitHealthy);
        var injected = await injector.RunAsync(options.Faults, options.EffectiveDuration, ct);
        log.Write($"{injected} faults injected; waiting for the cluster to heal");

        var unhealed = await cluster.WaitHealthyAsync(Topic, options.Partitions, FinalHealthyBound, ct);
        if (unhealed is not null) history.Add(new ClusterUnhealthy(history.Now, $"not healed {FinalHealthyBound.TotalSeconds:F0} s after the last fault: {unhealed}"));
        await Task.Delay(Settle, ct);
        await stopWorkloads.CancelAsync();
        await WhenStopped(running, log);

        log.Write("reading every partition back");
        var readBack = await ReadBack.ReadAsync(endpoints, ct);
        IReadOnlyList<PartitionReadBack>? committedReadBack = null;
        if (options.Transactions)
        {
            log.Write($"reading {TransactionalTopic} back at read_committed");
            committedReadBack = await ReadBack.ReadCommittedAsync(transactional, ct);
        }
        var report = Checker.Check(history.Snapshot(), readBack, options.MinInsyncReplicas, options.Seed, committedReadBack);
        if (unhealed is not null) Console.WriteLine($"ANOMALY: the cluster did not heal within {FinalHealthyBound.TotalSeconds:F0} s of the last fault: {unhealed}");
        report.Print(Console.Out);
        return report.Anomalies.Count + (unhealed is null ? 0 : 1);
    }

    private static async Task WhenStopped(IReadOnlyList<Task> workloads, RunLog log)
    {
        try
        {
            await Task.WhenAll(workloads).WaitAsync(WorkloadStopBound);
        }
        catch (TimeoutException)
        {
            log.Write($"workloads still running {WorkloadStopBound.TotalSeconds:F0} s after being told to stop");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string SiloDll()
    {
        // This program runs from tests/Hub.Faults/bin/<configuration>/net10.0; the silo is built beside it the same way.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(repositoryRoot, "silo", "bin", configuration, "net10.0", "Hub.Silo.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the silo first: {dll} is missing");
    }
}
