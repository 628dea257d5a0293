using System.Globalization;
using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// What the checker found: the table per fault kind, and every anomaly; printed with the run's seed and, for the
/// first anomalies, the history around each.
/// </summary>
public sealed class CheckReport
{
    /// <summary>Anomalies listed one line each; past this only their number is printed.</summary>
    private const int MaxAnomaliesListed = 100;

    /// <summary>Anomalies printed with the history around them: the first ones usually explain the rest.</summary>
    private const int MaxAnomaliesWithContext = 10;

    private static readonly (string Header, AnomalyKind? Kind)[] Columns =
    [
        ("lost", AnomalyKind.Lost), ("duplicated", AnomalyKind.Duplicated), ("reordered", AnomalyKind.Reordered),
        ("wrong-offset", AnomalyKind.WrongOffset), ("below-min-isr", AnomalyKind.BelowMinInsync),
        ("truncated", AnomalyKind.Truncated), ("epoch-back", AnomalyKind.EpochWentBack),
        ("txn-lost", AnomalyKind.CommittedTransactionLost), ("txn-aborted-seen", AnomalyKind.AbortedTransactionVisible),
        ("txn-partial", AnomalyKind.TransactionPartial), ("txn-gap", AnomalyKind.TransactionGap), ("other", null),
    ];

    /// <summary>The transactions that ended during each fault kind, by outcome as their clients saw it.</summary>
    private const string TransactionsHeader = "txn c/a/unknown";

    private readonly IReadOnlyList<HistoryEvent> _history;

    internal CheckReport(long seed, IReadOnlyList<FaultKindRow> table, IReadOnlyList<Anomaly> anomalies, IReadOnlyList<HistoryEvent> sortedHistory)
    {
        Seed = seed;
        Table = table;
        Anomalies = anomalies;
        _history = sortedHistory;
    }

    public long Seed { get; }

    public IReadOnlyList<FaultKindRow> Table { get; }

    public IReadOnlyList<Anomaly> Anomalies { get; }

    public bool Passed => Anomalies.Count == 0;

    public int Count(AnomalyKind kind) => Anomalies.Count(a => a.Kind == kind);

    public void Print(TextWriter? output = null)
    {
        output ??= Console.Out;
        var kindWidth = Math.Max(16, Table.Max(r => r.Kind.Length));
        output.WriteLine($"{"fault kind".PadRight(kindWidth)} {"faults",6} {"acked",8} {TransactionsHeader,15} {string.Join(' ', Columns.Select(c => c.Header))} {"longest-unavailable",19}");
        foreach (var row in Table)
        {
            var counts = Columns.Select(c => Cell(row, c.Kind).ToString(CultureInfo.InvariantCulture).PadLeft(c.Header.Length));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Kind.PadRight(kindWidth)} {row.Faults,6} {row.Acked,8} {row.Transactions,15} {string.Join(' ', counts)} {row.LongestUnavailable.TotalSeconds,18:F3}s"));
        }
        output.WriteLine(Passed
            ? $"seed {Seed}: no anomalies"
            : $"seed {Seed}: {Anomalies.Count} anomalies ({string.Join(", ", Anomalies.GroupBy(a => a.Kind).Select(g => $"{g.Count()} {g.Key}"))})");
        foreach (var anomaly in Anomalies.Take(MaxAnomaliesListed))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {anomaly.Kind} at {anomaly.At.TotalSeconds:F3}s, partition {anomaly.Partition}: {anomaly.Description}"));
        if (Anomalies.Count > MaxAnomaliesListed) output.WriteLine($"  ... and {Anomalies.Count - MaxAnomaliesListed} more");
        foreach (var anomaly in Anomalies.Take(MaxAnomaliesWithContext))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"--- seed {Seed}, {anomaly.Kind} at {anomaly.At.TotalSeconds:F3}s, partition {anomaly.Partition}: the history around it"));
            foreach (var line in AnomalyContext.Around(anomaly, _history)) output.WriteLine("  " + line);
        }
    }

    private static int Cell(FaultKindRow row, AnomalyKind? kind) =>
        kind is { } k ? row.Count(k) : row.Anomalies.Where(a => !Columns.Any(c => c.Kind == a.Key)).Sum(a => a.Value);
}
