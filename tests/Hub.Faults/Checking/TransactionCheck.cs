using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// The transactional topic read back at read_committed against the transactions' outcomes: every record of a
/// committed transaction exactly once, none of an aborted one, an unknown outcome all or nothing; and the live
/// read_committed consumer never saw an aborted transaction's record, skipped no committed record below the furthest
/// one it saw, saw each transaction's records on a partition together (only another transactional id's records may
/// come between them), and saw nothing the log read back lacks. Partitions read back only in part are reported once
/// and their records not judged missing.
/// </summary>
internal static class TransactionCheck
{
    public static IEnumerable<Anomaly> Find(TransactionLedger ledger, ReadBackIndex readBack, IReadOnlyList<CommittedRecordConsumed> seen, TimeSpan runEnd)
    {
        foreach (var partition in readBack.Partitions.Where(p => p.Incomplete is not null))
            yield return new Anomaly(AnomalyKind.ReadBackIncomplete, runEnd, partition.Partition, $"transactional topic: {partition.Incomplete}", []);

        foreach (var transaction in ledger.Transactions)
        foreach (var anomaly in ReadBackOf(transaction, readBack))
            yield return anomaly;

        foreach (var (value, places) in readBack.Values.Where(v => ledger.Find(v.Key) is null))
            yield return new Anomaly(AnomalyKind.Unknown, runEnd, places[0].Partition,
                $"transactional topic: read back at {string.Join(", ", places.Select(p => DeliveryCheck.Place(p.Partition, p.Offset)))}, never written", [value]);

        foreach (var consumed in seen)
            if (ledger.Find(consumed.Value) is { Outcome: TransactionOutcome.Aborted } aborted)
                yield return new Anomaly(AnomalyKind.AbortedTransactionVisible, consumed.At, consumed.Partition,
                    $"the read_committed consumer saw {consumed.Value} of aborted {aborted.Name} at {DeliveryCheck.Place(consumed.Partition, consumed.Offset)}", [consumed.Value]);

        foreach (var anomaly in TruncationCheck.Find(seen.Select(c => new RecordConsumed(c.At, "committed-consumer", c.Partition, c.Offset, c.Value)), readBack))
            yield return anomaly;

        foreach (var partition in seen.GroupBy(c => c.Partition))
        foreach (var anomaly in GapsSeen(partition.Key, [.. partition], ledger, readBack))
            yield return anomaly;
    }

    private static IEnumerable<Anomaly> ReadBackOf(LedgerTransaction transaction, ReadBackIndex readBack)
    {
        var present = new List<TransactionRecord>();
        var missing = new List<TransactionRecord>();
        foreach (var record in transaction.Written.Records)
        {
            var places = readBack.PlacesOf(record.Value);
            if (places.Count > 1)
                yield return Concerning(AnomalyKind.Duplicated, transaction, record.Partition,
                    $"{record.Value} read back {places.Count} times: {string.Join(", ", places.Select(p => DeliveryCheck.Place(p.Partition, p.Offset)))}", [record.Value]);
            if (places.Count > 0) present.Add(record);
            else if (readBack.IsComplete(record.Partition)) missing.Add(record);
        }
        var count = transaction.Written.Records.Count;
        // Reported on the partition of the first record in question.
        var anomaly = transaction.Outcome switch
        {
            TransactionOutcome.Committed when missing.Count > 0 => (AnomalyKind.CommittedTransactionLost, missing,
                $"committed, yet {missing.Count} of its {count} records are not read back at read_committed: {string.Join(", ", missing.Select(Describe))}"),
            TransactionOutcome.Aborted when present.Count > 0 => (AnomalyKind.AbortedTransactionVisible, present,
                $"aborted, yet {present.Count} of its {count} records are read back at read_committed: {string.Join(", ", present.Select(Describe))}"),
            TransactionOutcome.Unknown when present.Count > 0 && missing.Count > 0 => (AnomalyKind.TransactionPartial, [.. present, .. missing],
                $"outcome unknown ({transaction.Ended?.Error ?? "never ended"}); read back at read_committed: {string.Join(", ", present.Select(Describe))}; not: {string.Join(", ", missing.Select(Describe))}"),
            _ => ((AnomalyKind, List<TransactionRecord>, string)?)null,
        };
        if (anomaly is var (kind, records, description))
            yield return Concerning(kind, transaction, records[0].Partition, description, [.. records.Select(r => r.Value)]);
    }

    private static string Describe(TransactionRecord record) => $"{record.Value} (p{record.Partition})";

    /// <summary>What one partition's live consumer saw (each offset once, in offset order) against the log read back.</summary>
    private static IEnumerable<Anomaly> GapsSeen(int partition, IReadOnlyList<CommittedRecordConsumed> consumed, TransactionLedger ledger, ReadBackIndex readBack)
    {
        var seen = consumed.GroupBy(c => c.Offset).Select(g => g.First()).OrderBy(c => c.Offset).ToList();
        if (seen.Count == 0) return [];
        var anomalies = new List<Anomaly>();
        var seenOffsets = seen.Select(c => c.Offset).ToHashSet();
        var (first, furthest) = (seen[0], seen[^1]);
        if (readBack.IsComplete(partition))
        {
            // Committed records below the furthest one seen were all there to be seen: a read_committed consumer skips none.
            foreach (var record in readBack.RecordsOf(partition).Where(r => r.Offset > first.Offset && r.Offset < furthest.Offset && !seenOffsets.Contains(r.Offset)))
                anomalies.Add(new Anomaly(AnomalyKind.TransactionGap, furthest.At, partition,
                    $"the read_committed consumer saw {DeliveryCheck.Place(partition, furthest.Offset)} but never {record.Value ?? "null"} at {DeliveryCheck.Place(partition, record.Offset)}",
                    record.Value is null ? [] : [record.Value]));
        }

        // Per transactional id (one transaction at a time), a transaction's records come in one run.
        foreach (var producer in seen.Select(c => (Consumed: c, Transaction: ledger.Find(c.Value))).Where(s => s.Transaction is not null)
                     .GroupBy(s => s.Transaction!.Written.TransactionalId))
        {
            var ended = new HashSet<string>(StringComparer.Ordinal);
            LedgerTransaction? current = null;
            foreach (var (c, transaction) in producer)
            {
                if (ReferenceEquals(transaction, current)) continue;
                if (current is not null) ended.Add(current.Name);
                current = transaction;
                if (ended.Contains(transaction!.Name))
                    anomalies.Add(new Anomaly(AnomalyKind.TransactionGap, c.At, partition,
                        $"the read_committed consumer saw {transaction.Name}'s records on partition {partition} in pieces, with another transaction of {transaction.Written.TransactionalId} between them",
                        [c.Value]));
            }
        }
        return anomalies;
    }

    private static Anomaly Concerning(AnomalyKind kind, LedgerTransaction transaction, int partition, string description, IReadOnlyList<string> values) =>
        new(kind, transaction.At, partition, $"{transaction.Name}: {description}", values);
}
