namespace Hub.Benchmarks;

/// <summary>
/// What to run and how big. A full run is sized for a few seconds per figure on a 2-core machine; --smoke
/// shrinks every count so the whole suite runs in about half a minute (CI runs it so the suite never rots;
/// its figures mean nothing).
/// </summary>
public sealed record BenchOptions
{
    public static readonly string[] AllScenarios = ["produce", "consume", "kafka", "latency", "partitions", "groups", "replication", "scale", "alloc", "compression", "tls", "transactions", "compaction", "fetch-sessions"];

    /// <summary>A smoke run leaves out replication unless asked: starting three silos takes longer than the rest together.</summary>
    public static readonly string[] SmokeScenarios = AllScenarios.Except(["replication"]).ToArray();

    public bool Smoke { get; init; }
    public IReadOnlyList<string>? ChosenScenarios { get; init; }
    public IReadOnlyList<string> Scenarios => ChosenScenarios ?? (Smoke ? SmokeScenarios : AllScenarios);
    public string? PeersFile { get; init; }
    public string ResultsDirectory { get; init; } = "bench-results";

    /// <summary>The librdkafka C driver (Native/rdkafka_load.c) bench.sh built; null when it could not.</summary>
    public string? RdkafkaDriver { get; init; }

    /// <summary>Records per run at 100 B, and at 1 KiB (the same run time, roughly).</summary>
    public long Records100 => Smoke ? 100_000 : 5_000_000;
    public long Records1K => Smoke ? 20_000 : 1_000_000;

    /// <summary>Each offered rate of the latency scenario runs this long.</summary>
    public TimeSpan LatencyRun => Smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(8);

    /// <summary>How long a silo is left alone before its memory is read.</summary>
    public TimeSpan Settle => Smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(2);

    /// <summary>Idle partitions whose memory is measured, and the partition count one silo is loaded with.</summary>
    public int IdlePartitions => Smoke ? 100 : 1_000;
    public int ManyPartitions => Smoke ? 300 : 10_000;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--smoke" => options with { Smoke = true },
                "--scenarios" => options with { ChosenScenarios = Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--peers" => options with { PeersFile = Value(args, ref i) },
                "--results" => options with { ResultsDirectory = Value(args, ref i) },
                "--rdkafka-driver" => options with { RdkafkaDriver = Value(args, ref i) },
                _ => throw new ArgumentException($"unknown argument {args[i]}; use --smoke, --scenarios {string.Join(',', AllScenarios)}, --peers FILE, --results DIR, --rdkafka-driver FILE"),
            };
        }
        if (options.Scenarios.Except(AllScenarios).FirstOrDefault() is { } unknown)
            throw new ArgumentException($"unknown scenario {unknown}; known: {string.Join(',', AllScenarios)}");
        return options;
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
