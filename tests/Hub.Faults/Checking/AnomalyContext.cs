using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// The history around an anomaly, as the report prints it: within <see cref="Span"/> either side, every fault,
/// the partition's metadata samples, and every event of the records the anomaly concerns; the partition's other
/// traffic only counted (at 60 records/s per partition it would bury the rest).
/// </summary>
internal static class AnomalyContext
{
    public static readonly TimeSpan Span = TimeSpan.FromSeconds(5);

    /// <summary>A bound on one anomaly's lines, so a report with many anomalies stays readable.</summary>
    private const int MaxLines = 60;

    /// <param name="history">The run's history sorted by time.</param>
    public static IReadOnlyList<string> Around(Anomaly anomaly, IReadOnlyList<HistoryEvent> history)
    {
        var lines = new List<string>();
        var others = 0;
        var hidden = 0;
        var concerned = anomaly.Values.ToHashSet(StringComparer.Ordinal);
        var until = anomaly.At + Span;
        for (var i = PartitionPoint.First(history, e => e.At >= anomaly.At - Span); i < history.Count && history[i].At <= until; i++)
        {
            var e = history[i];
            if (IsShown(e, anomaly.Partition, concerned))
            {
                if (lines.Count < MaxLines) lines.Add(HistoryLine.Format(e));
                else hidden++;
            }
            else if (PartitionOf(e) == anomaly.Partition)
            {
                others++;
            }
        }
        if (hidden > 0) lines.Add($"({hidden} more lines like these)");
        lines.Add($"(and {others} other sends, acknowledgements and consumptions on partition {anomaly.Partition} in these ±{Span.TotalSeconds:F0} s)");
        return lines;
    }

    private static bool IsShown(HistoryEvent e, int partition, HashSet<string> concerned) => e switch
    {
        FaultStarted or FaultEnded => true,
        MetadataSeen m => m.Partition == partition,
        ProduceSent s => concerned.Contains(s.Value),
        ProduceAcked a => concerned.Contains(a.Value),
        ProduceFailed f => concerned.Contains(f.Value),
        RecordConsumed c => concerned.Contains(c.Value),
        CommittedRecordConsumed c => concerned.Contains(c.Value),
        TransactionWritten w => w.Records.Any(r => concerned.Contains(r.Value)),
        TransactionEnded t => concerned.Any(v => v.StartsWith(t.Transaction + "/", StringComparison.Ordinal)),
        _ => false,
    };

    private static int? PartitionOf(HistoryEvent e) => e switch
    {
        ProduceSent s => s.Partition,
        ProduceAcked a => a.Partition,
        ProduceFailed f => f.Partition,
        RecordConsumed c => c.Partition,
        CommittedRecordConsumed c => c.Partition,
        _ => null,
    };
}
