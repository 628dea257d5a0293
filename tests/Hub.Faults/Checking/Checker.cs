using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// Judges a run from its history and the log read back after it: every acknowledged record read back exactly once,
/// at its acknowledged offset and in send order (<see cref="DeliveryCheck"/>, <see cref="OrderCheck"/>); nothing
/// acknowledged below min.insync.replicas (<see cref="MinInsyncCheck"/>); nothing a consumer saw later truncated
/// (<see cref="TruncationCheck"/>); leader epochs never going back (<see cref="LeaderEpochCheck"/>).
/// </summary>
public static class Checker
{
    public static CheckReport Check(IReadOnlyList<HistoryEvent> history, IReadOnlyList<PartitionReadBack> readBack, int minInsyncReplicas, long seed)
    {
        var sorted = history.OrderBy(e => e.At).ToArray();
        var runEnd = sorted.Length == 0 ? TimeSpan.Zero : sorted[^1].At;
        var ledger = new ProduceLedger(history);
        var index = new ReadBackIndex(readBack);
        var faults = new FaultTimeline(sorted, runEnd);
        var anomalies = DeliveryCheck.Find(ledger, index, runEnd)
            .Concat(OrderCheck.Find(ledger, index))
            .Concat(MinInsyncCheck.Find(ledger, faults, new ReplicaHistory(sorted), minInsyncReplicas))
            .Concat(TruncationCheck.Find(history, index))
            .Concat(LeaderEpochCheck.Find(sorted))
            .OrderBy(a => a.At).ThenBy(a => a.Kind)
            .ToArray();
        var table = FaultKindTable.Build(faults, ledger, anomalies, new Unavailability(sorted));
        return new CheckReport(seed, table, anomalies, sorted);
    }
}
