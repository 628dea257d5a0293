using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// Judges a run from its history and the log read back after it: every acknowledged record read back exactly once,
/// at its acknowledged offset and in send order (<see cref="DeliveryCheck"/>, <see cref="OrderCheck"/>); nothing
/// acknowledged below min.insync.replicas (<see cref="MinInsyncCheck"/>); nothing a consumer saw later truncated
/// (<see cref="TruncationCheck"/>); leader epochs never going back (<see cref="LeaderEpochCheck"/>); transactions
/// all or nothing at read_committed, as read back and as a live consumer saw them (<see cref="TransactionCheck"/>).
/// </summary>
public static class Checker
{
    /// <param name="committedReadBack">The transactional topic read back at read_committed; none when the run had no transactional workload.</param>
    public static CheckReport Check(IReadOnlyList<HistoryEvent> history, IReadOnlyList<PartitionReadBack> readBack, int minInsyncReplicas, long seed,
        IReadOnlyList<PartitionReadBack>? committedReadBack = null)
    {
        var sorted = history.OrderBy(e => e.At).ToArray();
        var runEnd = sorted.Length == 0 ? TimeSpan.Zero : sorted[^1].At;
        var ledger = new ProduceLedger(history);
        var index = new ReadBackIndex(readBack);
        var transactions = new TransactionLedger(history);
        var faults = new FaultTimeline(sorted, runEnd);
        var anomalies = DeliveryCheck.Find(ledger, index, runEnd)
            .Concat(OrderCheck.Find(ledger, index))
            .Concat(MinInsyncCheck.Find(ledger, faults, new ReplicaHistory(sorted), minInsyncReplicas))
            .Concat(TruncationCheck.Find(history.OfType<RecordConsumed>(), index))
            .Concat(LeaderEpochCheck.Find(sorted))
            .Concat(TransactionCheck.Find(transactions, new ReadBackIndex(committedReadBack ?? []), [.. history.OfType<CommittedRecordConsumed>()], runEnd))
            .OrderBy(a => a.At).ThenBy(a => a.Kind)
            .ToArray();
        var table = FaultKindTable.Build(faults, ledger, transactions, anomalies, new Unavailability(sorted));
        return new CheckReport(seed, table, anomalies, sorted);
    }
}
