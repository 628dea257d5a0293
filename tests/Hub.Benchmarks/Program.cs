using Hub.Benchmarks;
using Hub.Benchmarks.Measure;
using Hub.Benchmarks.Report;
using Hub.Benchmarks.Scenarios;

// Runs the chosen scenarios against real silo processes, one after another (never two loads at once on a
// shared machine), then prints the Markdown table and writes it with the charts into the results directory.
// ./bench.sh is the way in: it builds, runs peers.sh first and passes its report with --peers.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var scenarios = new Dictionary<string, Func<BenchContext, Task>>
{
    ["produce"] = ThroughputScenarios.ProduceAsync,
    ["consume"] = ThroughputScenarios.ConsumeAsync,
    ["kafka"] = ThroughputScenarios.KafkaAsync,
    ["latency"] = LatencyScenario.RunAsync,
    ["partitions"] = ThroughputScenarios.PartitionsAsync,
    ["groups"] = GroupScenarios.RunAsync,
    ["replication"] = ReplicationScenario.RunAsync,
    ["scale"] = PartitionScaleScenario.RunAsync,
    ["alloc"] = AllocationScenario.RunAsync,
    ["compression"] = CompressionScenario.RunAsync,
    ["tls"] = TlsScenario.RunAsync,
    ["transactions"] = TransactionScenario.RunAsync,
    ["compaction"] = CompactionScenario.RunAsync,
    ["fetch-sessions"] = FetchSessionScenario.RunAsync,
};
// Scenarios that bring their own silos don't need the shared one.
string[] ownSilos = ["replication", "scale", "tls", "compaction"];

var peers = options.PeersFile is { } file && File.Exists(file) ? PeerFigures.Load(file) : PeerFigures.None;
var data = Directory.CreateTempSubdirectory("hub-bench-");
var failed = 0;
try
{
    await using var context = new BenchContext(options, peers, data.FullName);
    foreach (var name in options.Scenarios)
    {
        Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {name} (load {ProcessStats.LoadAverage():F1})");
        try
        {
            if (!ownSilos.Contains(name)) await context.StartSiloAsync();
            await scenarios[name](context);
        }
        catch (Exception e)
        {
            // One broken scenario must not cost the figures of the others; it shows in the table and the exit code.
            failed++;
            context.Add(Figure.Skip(name, $"failed: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", ProcessStats.LoadAverage()));
            Console.Error.WriteLine(e);
        }
    }

    Directory.CreateDirectory(options.ResultsDirectory);
    var table = MarkdownTable.Render(context.Figures);
    var header = $"Hub benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores{(options.Smoke ? ", smoke run (figures not meaningful)" : "")}" +
                 (peers.IsEmpty ? ", no peer figures (peers.sh not run)" : $", peers measured first in the same run (load average {peers.LoadAverages})");
    Console.WriteLine(header);
    Console.WriteLine();
    Console.WriteLine(table);
    await File.WriteAllTextAsync(Path.Combine(options.ResultsDirectory, "results.md"), $"{header}\n\n{table}");
    Charts.Throughput(context.Figures, Path.Combine(options.ResultsDirectory, "throughput.png"));
    if (context.Latencies.Count > 0) Charts.Latency(context.Latencies, Path.Combine(options.ResultsDirectory, "latency.png"));
    Console.WriteLine($"results: {Path.GetFullPath(options.ResultsDirectory)} (results.md, throughput.png{(context.Latencies.Count > 0 ? ", latency.png" : "")})");
}
finally
{
    data.Delete(recursive: true);
}
return failed == 0 ? 0 : 1;
