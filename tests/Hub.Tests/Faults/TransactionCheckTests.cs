using Hub.Faults.Checking;
using Hub.Faults.History;

namespace Hub.Tests.Faults;

/// <summary>The checker's transaction rules on hand-made histories and read_committed read-backs: each anomaly found, a clean run passes.</summary>
public sealed class TransactionCheckTests
{
    private const int MinInsync = 2;

    private readonly List<HistoryEvent> _history = [];
    private readonly Dictionary<int, List<StoredRecord>> _log = [];

    [Fact]
    public void Committed_transactions_read_back_whole_and_aborted_ones_absent_pass_and_are_counted()
    {
        Transaction(0.1, 0.2, "a/0", TransactionOutcome.Committed, (0, 0), (1, 0));
        Transaction(0.3, 0.4, "a/1", TransactionOutcome.Aborted);
        Transaction(0.5, 0.6, "a/2", TransactionOutcome.Unknown);
        Transaction(0.7, 0.8, "a/3", TransactionOutcome.Unknown, (0, 2), (1, 2));
        Consumed(0.9, 0, 0, "a/0/0");
        Consumed(1.0, 0, 2, "a/3/0");

        var report = Check();

        Assert.True(report.Passed, Printed(report));
        Assert.Equal(new TransactionTally(1, 1, 2), report.Table.Single(r => r.Kind == FaultKindRow.All).Transactions);
    }

    [Fact]
    public void A_committed_transaction_missing_a_record_is_lost()
    {
        Transaction(0.1, 0.2, "a/0", TransactionOutcome.Committed, (0, 0));

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal(AnomalyKind.CommittedTransactionLost, anomaly.Kind);
        Assert.Equal(["a/0/1"], anomaly.Values);
    }

    [Fact]
    public void An_aborted_transaction_read_back_or_seen_live_is_visible()
    {
        Transaction(0.1, 0.2, "a/0", TransactionOutcome.Aborted, (0, 0), (1, 0));
        Consumed(0.3, 0, 0, "a/0/0");

        var report = Check();

        Assert.Equal(2, report.Count(AnomalyKind.AbortedTransactionVisible));
        Assert.Equal(2, report.Anomalies.Count);
    }

    [Fact]
    public void An_unknown_outcome_read_back_in_part_is_partial()
    {
        Transaction(0.1, 0.2, "a/0", TransactionOutcome.Unknown, (1, 0));

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal(AnomalyKind.TransactionPartial, anomaly.Kind);
    }

    [Fact]
    public void A_record_read_back_twice_is_duplicated()
    {
        Transaction(0.1, 0.2, "a/0", TransactionOutcome.Committed, (0, 0), (1, 0));
        Stored(1, 1, "a/0/1");

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal(AnomalyKind.Duplicated, anomaly.Kind);
    }

    [Fact]
    public void A_live_consumer_skipping_a_committed_record_has_a_gap()
    {
        Transaction(0.1, 0.2, "a/0", TransactionOutcome.Committed, (0, 0), (1, 0));
        Transaction(0.3, 0.4, "a/1", TransactionOutcome.Committed, (0, 1), (1, 1));
        Transaction(0.5, 0.6, "a/2", TransactionOutcome.Committed, (0, 2), (1, 2));
        Consumed(0.7, 0, 0, "a/0/0");
        Consumed(0.8, 0, 2, "a/2/0");

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal(AnomalyKind.TransactionGap, anomaly.Kind);
        Assert.Equal(["a/1/0"], anomaly.Values);
    }

    [Fact]
    public void A_transaction_seen_in_pieces_around_another_of_its_id_has_a_gap_while_another_id_between_is_fine()
    {
        // Partition 0 holds a/0/0, b/0/0, a/0/2 (fine: another id), then a/1/0 and a/0/3 after it (not fine).
        _history.Add(new TransactionWritten(At(0.1), "a", "a/0", [new(0, "a/0/0"), new(0, "a/0/2"), new(0, "a/0/3")]));
        _history.Add(new TransactionEnded(At(0.2), "a/0", TransactionOutcome.Committed));
        _history.Add(new TransactionWritten(At(0.1), "b", "b/0", [new(0, "b/0/0")]));
        _history.Add(new TransactionEnded(At(0.2), "b/0", TransactionOutcome.Committed));
        _history.Add(new TransactionWritten(At(0.3), "a", "a/1", [new(0, "a/1/0")]));
        _history.Add(new TransactionEnded(At(0.4), "a/1", TransactionOutcome.Committed));
        string[] log = ["a/0/0", "b/0/0", "a/0/2", "a/1/0", "a/0/3"];
        for (var offset = 0; offset < log.Length; offset++)
        {
            Stored(0, offset, log[offset]);
            Consumed(1.0 + offset, 0, offset, log[offset]);
        }

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal(AnomalyKind.TransactionGap, anomaly.Kind);
        Assert.Equal(["a/0/3"], anomaly.Values);
    }

    [Fact]
    public void A_record_seen_live_and_later_gone_is_truncated()
    {
        Transaction(0.1, 0.2, "a/0", TransactionOutcome.Unknown);
        Consumed(0.3, 0, 0, "a/0/0");

        var report = Check();

        Assert.Equal(1, report.Count(AnomalyKind.Truncated));
    }

    [Fact]
    public void The_printed_table_counts_transactions_per_fault_kind()
    {
        _history.Add(new FaultStarted(At(1.0), "kill-coordinator", "broker 0"));
        Transaction(1.5, 2.0, "a/0", TransactionOutcome.Unknown);
        _history.Add(new FaultEnded(At(3.0), "kill-coordinator", "broker 0"));
        Transaction(20.0, 20.5, "a/1", TransactionOutcome.Committed, (0, 0), (1, 0));

        var report = Check();

        Assert.Equal(new TransactionTally(0, 0, 1), report.Table.Single(r => r.Kind == "kill-coordinator").Transactions);
        Assert.Equal(new TransactionTally(1, 0, 0), report.Table.Single(r => r.Kind == FaultKindRow.NoFault).Transactions);
        Assert.Contains("0/0/1", Printed(report));
    }

    private CheckReport Check() => Checker.Check(_history, [], MinInsync, seed: 7,
        [.. _log.Select(p => new PartitionReadBack(p.Key, 0, p.Value.Count, [.. p.Value.OrderBy(r => r.Offset)], null))]);

    private static string Printed(CheckReport report)
    {
        var output = new StringWriter();
        report.Print(output);
        return output.ToString();
    }

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>
    /// Transaction <paramref name="name"/> of id "a" writing name/0 to partition 0 and name/1 to partition 1, ending as
    /// <paramref name="outcome"/>; <paramref name="stored"/> lists (partition, offset) where its records are read back.
    /// </summary>
    private void Transaction(double written, double ended, string name, TransactionOutcome outcome, params (int Partition, long Offset)[] stored)
    {
        _history.Add(new TransactionWritten(At(written), "a", name, [new(0, $"{name}/0"), new(1, $"{name}/1")]));
        _history.Add(new TransactionEnded(At(ended), name, outcome));
        foreach (var (partition, offset) in stored) Stored(partition, offset, $"{name}/{partition}");
        // Both partitions are read back (complete), even when nothing of this transaction is there.
        foreach (var partition in (int[])[0, 1]) if (!_log.ContainsKey(partition)) _log[partition] = [];
    }

    private void Consumed(double at, int partition, long offset, string value) =>
        _history.Add(new CommittedRecordConsumed(At(at), partition, offset, value));

    private void Stored(int partition, long offset, string value)
    {
        if (!_log.TryGetValue(partition, out var records)) _log[partition] = records = [];
        records.Add(new StoredRecord(offset, value));
    }
}
