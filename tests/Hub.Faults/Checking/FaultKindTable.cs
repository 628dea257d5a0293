namespace Hub.Faults.Checking;

/// <summary>
/// Builds the report's table: a row per fault kind, one for the time outside every fault, and one for the run.
/// An acknowledgement or anomaly counts for every kind whose fault (or its aftermath) covers its moment.
/// </summary>
internal static class FaultKindTable
{
    public static IReadOnlyList<FaultKindRow> Build(FaultTimeline faults, ProduceLedger ledger, IReadOnlyList<Anomaly> anomalies, Unavailability unavailability)
    {
        var acks = ledger.Acked.Select(r => r.AckedAt!.Value).Order().ToArray();
        var rows = new List<FaultKindRow>();
        foreach (var kind in faults.Kinds)
        {
            var windows = faults.Windows.Where(w => w.Kind == kind).ToArray();
            rows.Add(new FaultKindRow(kind, windows.Length,
                Merged(windows).Sum(span => CountWithin(acks, span.Start, span.End)),
                Tally(anomalies.Where(a => windows.Any(w => w.Affects(a.At)))),
                windows.Select(w => unavailability.LongestOverlapping(w.Start, w.EffectsEnd)).DefaultIfEmpty().Max()));
        }
        var ackedDuringFaults = Merged(faults.Windows).Sum(span => CountWithin(acks, span.Start, span.End));
        rows.Add(new FaultKindRow(FaultKindRow.NoFault, 0, acks.Length - ackedDuringFaults,
            Tally(anomalies.Where(a => !faults.Windows.Any(w => w.Affects(a.At)))),
            unavailability.LongestOutside(faults.Windows)));
        rows.Add(new FaultKindRow(FaultKindRow.All, faults.Windows.Count, acks.Length, Tally(anomalies),
            unavailability.LongestOverlapping(TimeSpan.Zero, TimeSpan.MaxValue)));
        return rows;
    }

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
