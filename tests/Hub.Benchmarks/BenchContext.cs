using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;
using Hub.Benchmarks.Report;
using Hub.Client;
using Hub.Tests.Cluster;

namespace Hub.Benchmarks;

/// <summary>
/// What the scenarios share in one run: the options, the peers' figures, a data directory, the one silo most
/// scenarios load (started on first use, from the Release build, on free ports) and the figures so far.
/// </summary>
public sealed class BenchContext(BenchOptions options, PeerFigures peers, string dataDirectory) : IAsyncDisposable
{
    private readonly Dictionary<(int Size, int Partitions, long Records), (string Topic, LoadResult Produced)> _filled = [];
    private readonly List<Figure> _figures = [];
    private readonly List<(string Label, LatencyResult Result)> _latencies = [];
    private SiloProcess? _silo;
    private HubClient? _client;

    public BenchOptions Options { get; } = options;
    public PeerFigures Peers { get; } = peers;
    public string DataDirectory { get; } = dataDirectory;
    public IReadOnlyList<Figure> Figures => _figures;
    public IReadOnlyList<(string Label, LatencyResult Result)> Latencies => _latencies;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("call StartSiloAsync first");
    public HubClient Client => _client ?? throw new InvalidOperationException("call StartSiloAsync first");
    public int[] SiloPids => [Silo.ProcessId];
    public string KafkaBootstrap => $"127.0.0.1:{Silo.KafkaPort}";

    /// <summary>
    /// Starts the shared silo and warms it and this process up with a tenth of a produce and consume run: the
    /// figures are steady-state ones, and without it the first scenario paid for compiling both sides' hot paths
    /// (in a 5-second `hub perf produce`, 18% of the CLI's CPU went to the JIT compiler; measured with perf).
    /// </summary>
    public async Task StartSiloAsync()
    {
        if (_silo is not null) return;
        _silo = await SiloProcess.StartAsync(Path.Combine(DataDirectory, "silo"));
        _client = await _silo.ConnectAsync();
        const string warmUp = "warm-up";
        var records = Options.Records100 / 10;
        await _client.Admin.CreateTopicAsync(warmUp, Scenarios.Sizes.Partitions);
        await SdkLoad.ProduceAsync(_client, warmUp, records, Scenarios.Sizes.Small, SiloPids);
        await SdkLoad.ConsumeAsync(_client, warmUp, records, SiloPids);
        await _client.Admin.DeleteTopicAsync(warmUp);
    }

    public void Add(Figure figure)
    {
        _figures.Add(figure);
        var value = figure.Skipped ? "" : $"{MarkdownTable.Number(figure.Value)} {figure.Unit} ";
        Console.Error.WriteLine($"  {figure.Scenario}: {value}{figure.Detail} (load {figure.LoadAverage:F1})");
    }

    public void Add(string scenario, double value, string unit, string detail, IEnumerable<Comparison>? comparisons = null) =>
        Add(new Figure(scenario, value, unit, detail, ProcessStats.LoadAverage(), comparisons?.ToArray() ?? []));

    /// <param name="series">The chart's line this point belongs to (e.g. "100 B"); the offered rate places it.</param>
    /// <param name="load">How the offered rate was chosen (e.g. "50% of peak"), for the table.</param>
    public void AddLatency(string series, string load, LatencyResult result)
    {
        _latencies.Add((series, result));
        Add($"e2e latency p99, {series}, {load}", result.Millis(99), "ms", result.Summary());
    }

    /// <summary>
    /// A topic holding <paramref name="records"/> records of <paramref name="size"/> bytes, produced through the SDK
    /// as fast as it goes, and what producing them measured. Scenarios asking for the same one share it.
    /// </summary>
    public async Task<(string Topic, LoadResult Produced)> FilledTopicAsync(int size, int partitions, long records)
    {
        if (_filled.TryGetValue((size, partitions, records), out var filled)) return filled;
        var topic = $"sdk-{size}b-{partitions}p-{records}";
        await Client.Admin.CreateTopicAsync(topic, partitions);
        filled = (topic, await SdkLoad.ProduceAsync(Client, topic, records, size, SiloPids));
        _filled[(size, partitions, records)] = filled;
        return filled;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_silo is not null) await _silo.DisposeAsync();
    }
}
