using System.Globalization;
using Hub.Faults.Faults;

namespace Hub.Faults.Runner;

/// <summary>The command line of a run (see <see cref="Usage"/>).</summary>
internal sealed record RunOptions
{
    public const string Usage = """
        usage: faults.sh [options]
          --seed N          the run's seed (default: a fresh one, printed first)
          --duration T      inject faults for this long: 90s, 10m, 2h or hh:mm:ss (default 5m unless --faults)
          --faults N        inject this many faults (with --duration: whichever comes first)
          --kinds A,B       only these kinds of fault (default: all)
          --brokers N       silos, each in its own network namespace (default 3)
          --partitions N    partitions of the topic written (default 3; replication factor min(3, brokers),
                            min.insync.replicas min(2, replication factor))
          --results DIR     where the history, the silo logs and the data go (default faults-results/<UTC time>)
          --keep            keep the silos' and the store's data after the run
          --no-transactions without the transactional workloads, their checks and the coordinator faults
        Needs root and ip netns. Exit code 0: no anomaly; 1: anomalies; 2: the run itself failed.
        """;

    private static readonly TimeSpan DefaultDuration = TimeSpan.FromMinutes(5);

    public int Seed { get; init; } = Random.Shared.Next();

    public TimeSpan? Duration { get; init; }

    public int? Faults { get; init; }

    public IReadOnlyList<string> Kinds { get; init; } = FaultCatalog.Kinds;

    public int Brokers { get; init; } = 3;

    public int Partitions { get; init; } = 3;

    public string? Results { get; init; }

    public bool Keep { get; init; }

    /// <summary>Whether the transactional workloads run (and with them the coordinator faults and transaction checks).</summary>
    public bool Transactions { get; init; } = true;

    public bool Help { get; init; }

    public int ReplicationFactor => Math.Min(3, Brokers);

    public int MinInsyncReplicas => Math.Min(2, ReplicationFactor);

    /// <summary>The duration to run for: as given, or the default when no fault count bounds the run either.</summary>
    public TimeSpan? EffectiveDuration => Duration ?? (Faults is null ? DefaultDuration : null);

    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--seed" => options with { Seed = PositiveInt(Value(), "--seed", allowZero: true) },
                "--duration" => options with { Duration = ParseDuration(Value()) },
                "--faults" => options with { Faults = PositiveInt(Value(), "--faults") },
                "--kinds" => options with { Kinds = ParseKinds(Value()) },
                "--brokers" => options with { Brokers = PositiveInt(Value(), "--brokers") },
                "--partitions" => options with { Partitions = PositiveInt(Value(), "--partitions") },
                "--results" => options with { Results = Value() },
                "--keep" => options with { Keep = true },
                "--no-transactions" => options with { Transactions = false },
                "-h" or "--help" => options with { Help = true },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (options.Transactions) return options;
        var named = options.Kinds.Intersect(FaultCatalog.CoordinatorKinds).ToList();
        if (named.Count > 0 && !ReferenceEquals(options.Kinds, FaultCatalog.Kinds))
            throw new ArgumentException($"--kinds {string.Join(",", named)} target a transaction coordinator: drop --no-transactions");
        return options with { Kinds = [.. options.Kinds.Except(FaultCatalog.CoordinatorKinds)] };
    }

    /// <summary>90s, 10m, 2h, or a TimeSpan (hh:mm:ss).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        if (text.Length > 1 && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
            }
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new ArgumentException($"--duration: '{text}' is not a duration (90s, 10m, 2h, hh:mm:ss)");
    }

    private static IReadOnlyList<string> ParseKinds(string text)
    {
        var kinds = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var unknown = kinds.Except(FaultCatalog.Kinds).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"--kinds: unknown {string.Join(", ", unknown)}; known: {string.Join(", ", FaultCatalog.Kinds)}");
        return kinds.Count > 0 ? kinds : throw new ArgumentException("--kinds: name at least one kind");
    }

    private static int PositiveInt(string text, string option, bool allowZero = false) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || allowZero)
            ? n
            : throw new ArgumentException($"{option}: '{text}' is not a {(allowZero ? "non-negative" : "positive")} whole number");
}
