using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// Builds the report's table: a row per fault kind, one for the time outside every fault, and one for the run.
/// An acknowledgement, a transaction's end or an anomaly counts for every kind whose fault (or its aftermath) covers its moment.
/// </summary>
internal static class FaultKindTable
{
    public static IReadOnlyList<FaultKindRow> Build(FaultTimeline faults, ProduceLedger ledger, TransactionLedger transactions,
        IReadOnlyList<Anomaly> anomalies, Unavailability unavailability)
    {
        var acks = ledger.Acked.Select(r => r.AckedAt!.Value).Order().ToArray();
        TimeSpan[] Ended(TransactionOutcome outcome) => [.. transactions.Transactions.Where(t => t.Outcome == outcome).Select(t => t.At).Order()];
        var (committed, aborted, unknown) = (Ended(TransactionOutcome.Committed), Ended(TransactionOutcome.Aborted), Ended(TransactionOutcome.Unknown));
        TransactionTally TransactionsWithin(List<(TimeSpan Start, TimeSpan End)> spans) =>
            new(Within(committed, spans), Within(aborted, spans), Within(unknown, spans));

        var rows = new List<FaultKindRow>();
        foreach (var kind in faults.Kinds)
        {
            var windows = faults.Windows.Where(w => w.Kind == kind).ToArray();
            var spans = Merged(windows);
            rows.Add(new FaultKindRow(kind, windows.Length, Within(acks, spans),
                Tally(anomalies.Where(a => windows.Any(w => w.Affects(a.At)))),
                windows.Select(w => unavailability.LongestOverlapping(w.Start, w.EffectsEnd)).DefaultIfEmpty().Max(),
                TransactionsWithin(spans)));
        }
        var faulty = Merged(faults.Windows);
        var duringFaults = TransactionsWithin(faulty);
        rows.Add(new FaultKindRow(FaultKindRow.NoFault, 0, acks.Length - Within(acks, faulty),
            Tally(anomalies.Where(a => !faults.Windows.Any(w => w.Affects(a.At)))),
            unavailability.LongestOutside(faults.Windows),
            new TransactionTally(committed.Length - duringFaults.Committed, aborted.Length - duringFaults.Aborted, unknown.Length - duringFaults.Unknown)));
        rows.Add(new FaultKindRow(FaultKindRow.All, faults.Windows.Count, acks.Length, Tally(anomalies),
            unavailability.LongestOverlapping(TimeSpan.Zero, TimeSpan.MaxValue),
            new TransactionTally(committed.Length, aborted.Length, unknown.Length)));
        return rows;
    }

    /// <summary>How many of the sorted moments fall within the (merged, so disjoint) spans.</summary>
    private static int Within(TimeSpan[] sorted, List<(TimeSpan Start, TimeSpan End)> spans) =>
        spans.Sum(span => CountWithin(sorted, span.Start, span.End));

    private static Dictionary<AnomalyKind, int> Tally(IEnumerable<Anomaly> anomalies) =>
        anomalies.GroupBy(a => a.Kind).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The windows' spans with their aftermath, overlapping ones merged, so nothing is counted twice.</summary>
    private static List<(TimeSpan Start, TimeSpan End)> Merged(IEnumerable<FaultWindow> windows)
    {
        var merged = new List<(TimeSpan Start, TimeSpan End)>();
        foreach (var w in windows.OrderBy(w => w.Start))
        {
            if (merged.Count > 0 && w.Start <= merged[^1].End)
                merged[^1] = (merged[^1].Start, w.EffectsEnd > merged[^1].End ? w.EffectsEnd : merged[^1].End);
            else
                merged.Add((w.Start, w.EffectsEnd));
        }
        return merged;
    }

    /// <summary>How many of the sorted moments fall from <paramref name="start"/> to <paramref name="end"/>, both included.</summary>
    private static int CountWithin(TimeSpan[] sorted, TimeSpan start, TimeSpan end) =>
        PartitionPoint.First(sorted, t => t > end) - PartitionPoint.First(sorted, t => t >= start);
}
