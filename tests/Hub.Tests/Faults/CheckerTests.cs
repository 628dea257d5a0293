using Hub.Faults.Checking;
using Hub.Faults.History;

namespace Hub.Tests.Faults;

/// <summary>The fault-injection suite's checker on hand-made histories: each anomaly found, a clean run passes.</summary>
public sealed class CheckerTests
{
    private const int MinInsync = 2;
    private static readonly int[] AllReplicas = [0, 1, 2];

    private readonly List<HistoryEvent> _history = [];
    private readonly Dictionary<int, List<StoredRecord>> _log = [];

    [Fact]
    public void A_clean_run_passes()
    {
        Sample(0.0, partition: 0, epoch: 1);
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Produce(0.3, 0.4, "w/0/1", offset: 1);
        Sent(0.45, "w/0/2");
        Failed(0.5, "w/0/2");
        Consumed(0.6, 0, "w/0/0");

        var report = Check();

        Assert.True(report.Passed, Printed(report));
        var all = report.Table.Single(r => r.Kind == FaultKindRow.All);
        Assert.Equal(2, all.Acked);
    }

    [Fact]
    public void An_acknowledged_record_missing_from_the_log_is_lost()
    {
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Sent(0.3, "w/0/1");
        Acked(0.4, "w/0/1", offset: 1);

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal(AnomalyKind.Lost, anomaly.Kind);
        Assert.Equal(["w/0/1"], anomaly.Values);
    }

    [Fact]
    public void A_failed_record_may_be_missing_or_stored()
    {
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Failed(0.3, "w/0/1");
        Sent(0.4, "w/0/2");
        Failed(0.5, "w/0/2");
        Stored(0, 1, "w/0/2");

        Assert.True(Check().Passed);
    }

    [Fact]
    public void A_record_read_back_twice_is_duplicated_acknowledged_or_not()
    {
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Stored(0, 1, "w/0/0");
        Sent(0.3, "w/0/1");
        Failed(0.4, "w/0/1");
        Stored(0, 2, "w/0/1");
        Stored(0, 3, "w/0/1");

        var report = Check();

        Assert.Equal(2, report.Count(AnomalyKind.Duplicated));
        Assert.Equal(2, report.Anomalies.Count);
    }

    [Fact]
    public void Acknowledged_records_out_of_send_order_are_reordered()
    {
        Sent(0.1, "w/0/0");
        Sent(0.2, "w/0/1");
        Acked(0.3, "w/0/1", offset: 0);
        Acked(0.4, "w/0/0", offset: 1);
        Stored(0, 0, "w/0/1");
        Stored(0, 1, "w/0/0");

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal(AnomalyKind.Reordered, anomaly.Kind);
        Assert.Equal(["w/0/0", "w/0/1"], anomaly.Values);
    }

    [Fact]
    public void A_record_read_back_elsewhere_than_its_acknowledgement_said_is_at_a_wrong_offset()
    {
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Sent(0.3, "w/0/1");
        Acked(0.4, "w/0/1", offset: 7);
        Stored(0, 1, "w/0/1");

        Assert.Equal(AnomalyKind.WrongOffset, Assert.Single(Check().Anomalies).Kind);
    }

    [Fact]
    public void A_record_acknowledged_without_an_offset_only_has_to_be_read_back_once()
    {
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Sent(0.3, "w/0/1");
        Acked(0.4, "w/0/1", offset: -1001);
        Stored(0, 1, "w/0/1");
        Assert.Empty(Check().Anomalies);

        Stored(0, 2, "w/0/1");
        Assert.Equal(AnomalyKind.Duplicated, Assert.Single(Check().Anomalies).Kind);
    }

    [Fact]
    public void A_value_nobody_sent_is_unknown()
    {
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Stored(0, 1, "ghost");

        Assert.Equal(AnomalyKind.Unknown, Assert.Single(Check().Anomalies).Kind);
    }

    [Fact]
    public void A_partition_read_in_part_is_reported_instead_of_its_records_being_lost()
    {
        Sent(0.1, "w/0/0");
        Acked(0.2, "w/0/0", offset: 0);

        var report = Checker.Check(_history, [new PartitionReadBack(0, 0, 1, [], "read up to offset 0 of high watermark 1")], MinInsync, seed: 7);

        Assert.Equal(AnomalyKind.ReadBackIncomplete, Assert.Single(report.Anomalies).Kind);
    }

    [Fact]
    public void An_acknowledgement_while_both_followers_were_down_throughout_is_below_min_insync()
    {
        Sample(0.0, partition: 0, epoch: 1);
        Produce(0.5, 1.5, "w/0/0", offset: 0);   // sent before the followers went down: they may hold it
        _history.Add(new FaultStarted(At(1.0), "kill-followers", "brokers 1 and 2", [1, 2]));
        Produce(2.0, 3.0, "w/0/1", offset: 1);   // sent and acknowledged with only the leader up
        _history.Add(new FaultEnded(At(5.0), "kill-followers", "restarted"));
        Produce(4.0, 6.0, "w/0/2", offset: 2);   // acknowledged after they came back

        var report = Check();

        var anomaly = Assert.Single(report.Anomalies);
        Assert.Equal(AnomalyKind.BelowMinInsync, anomaly.Kind);
        Assert.Equal(["w/0/1"], anomaly.Values);
        var row = report.Table.Single(r => r.Kind == "kill-followers");
        Assert.Equal((1, 3, 1), (row.Faults, row.Acked, row.Count(AnomalyKind.BelowMinInsync)));
    }

    [Fact]
    public void A_follower_down_through_overlapping_faults_is_down_throughout_but_not_across_a_gap()
    {
        Sample(0.0, partition: 0, epoch: 1);
        _history.Add(new FaultStarted(At(1.0), "kill-broker", "broker 1", [1]));
        _history.Add(new FaultStarted(At(1.0), "pause", "broker 2", [2]));
        _history.Add(new FaultStarted(At(3.0), "isolate", "broker 1", [1]));
        _history.Add(new FaultEnded(At(4.0), "kill-broker", "restarted"));
        Produce(2.0, 7.0, "w/0/0", offset: 0);   // broker 1 down 1-4 and 3-8, broker 2 down 1-9: only the leader was up
        _history.Add(new FaultEnded(At(8.0), "isolate", "healed"));
        _history.Add(new FaultEnded(At(9.0), "pause", "resumed"));
        _history.Add(new FaultStarted(At(10.0), "kill-broker", "broker 1", [1]));
        _history.Add(new FaultStarted(At(10.0), "pause", "broker 2", [2]));
        _history.Add(new FaultEnded(At(11.0), "kill-broker", "restarted"));
        _history.Add(new FaultStarted(At(12.0), "isolate", "broker 1", [1]));
        Produce(10.5, 13.0, "w/0/1", offset: 1);  // broker 1 was up from 11 to 12: it may hold the record
        _history.Add(new FaultEnded(At(14.0), "isolate", "healed"));
        _history.Add(new FaultEnded(At(14.0), "pause", "resumed"));

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal((AnomalyKind.BelowMinInsync, "w/0/0"), (anomaly.Kind, anomaly.Values.Single()));
    }

    [Fact]
    public void One_follower_down_leaves_enough_replicas()
    {
        Sample(0.0, partition: 0, epoch: 1);
        _history.Add(new FaultStarted(At(1.0), "kill-broker", "broker 2", [2]));
        Produce(2.0, 3.0, "w/0/0", offset: 0);
        _history.Add(new FaultEnded(At(5.0), "kill-broker", "restarted"));

        Assert.True(Check().Passed);
    }

    [Fact]
    public void A_consumed_record_no_longer_at_its_offset_was_truncated()
    {
        Produce(0.1, 0.2, "w/0/0", offset: 0);
        Sent(0.3, "w/0/1");
        _history.Add(new RecordConsumed(At(0.4), "live", 0, 1, "w/0/1"));   // seen, then lost with the leader
        Failed(0.5, "w/0/1");
        Produce(0.6, 0.7, "w/0/2", offset: 1);

        var report = Check();

        var anomaly = Assert.Single(report.Anomalies);
        Assert.Equal(AnomalyKind.Truncated, anomaly.Kind);
        Assert.Equal(["w/0/1"], anomaly.Values);
    }

    [Fact]
    public void A_leader_epoch_going_down_is_caught()
    {
        Sample(0.0, partition: 0, epoch: 3);
        Sample(1.0, partition: 0, epoch: 4);
        Sample(2.0, partition: 0, epoch: 3);
        Sample(2.0, partition: 1, epoch: 1);

        var anomaly = Assert.Single(Check().Anomalies);

        Assert.Equal((AnomalyKind.EpochWentBack, 0), (anomaly.Kind, anomaly.Partition));
    }

    [Fact]
    public void The_table_gives_each_fault_kind_its_longest_stretch_without_acknowledgements()
    {
        Produce(0.0, 1.0, "w/0/0", offset: 0);
        _history.Add(new FaultStarted(At(2.0), "pause", "broker 0"));
        Produce(1.5, 9.0, "w/0/1", offset: 1);   // 8 s without an acknowledgement across the pause
        _history.Add(new FaultEnded(At(6.0), "pause", "resumed"));
        Produce(10.0, 17.0, "w/0/2", offset: 2);  // 8 s again, starting within the pause's aftermath
        Produce(30.0, 40.0, "w/0/3", offset: 3);  // 23 s with no fault on
        Sent(45.0, "w/0/4");                      // unanswered to the end: 5 s

        var report = Check();

        Assert.True(report.Passed, Printed(report));
        var pause = report.Table.Single(r => r.Kind == "pause");
        Assert.Equal((1, 1, TimeSpan.FromSeconds(8)), (pause.Faults, pause.Acked, pause.LongestUnavailable));
        var noFault = report.Table.Single(r => r.Kind == FaultKindRow.NoFault);
        Assert.Equal((3, TimeSpan.FromSeconds(23)), (noFault.Acked, noFault.LongestUnavailable));
        Assert.Equal(TimeSpan.FromSeconds(23), report.Table.Single(r => r.Kind == FaultKindRow.All).LongestUnavailable);
    }

    [Fact]
    public void The_printed_report_names_the_seed_and_shows_the_history_around_an_anomaly()
    {
        _history.Add(new FaultStarted(At(1.0), "kill-leader", "broker 0"));
        Sent(2.0, "w/0/0");
        Acked(3.0, "w/0/0", offset: 0);
        Produce(2.5, 3.5, "w/0/1", offset: 1);

        var printed = Printed(Check());

        Assert.Contains("seed 7:", printed);
        Assert.Contains("Lost", printed);
        Assert.Contains("kill-leader: broker 0", printed);
        Assert.Contains("acked     w p0 w/0/0 at offset 0", printed);
        Assert.Contains("2 other sends", printed);
    }

    private CheckReport Check() =>
        Checker.Check(_history, [.. _log.Select(p => new PartitionReadBack(p.Key, 0, p.Value.Count, p.Value, null))], MinInsync, seed: 7);

    private static string Printed(CheckReport report)
    {
        var output = new StringWriter();
        report.Print(output);
        return output.ToString();
    }

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>A record of workload w sent to partition 0, acknowledged at <paramref name="offset"/> and stored there.</summary>
    private void Produce(double sent, double acked, string value, long offset)
    {
        Sent(sent, value);
        Acked(acked, value, offset);
        Stored(0, offset, value);
    }

    private void Sent(double at, string value) => _history.Add(new ProduceSent(At(at), "w", 0, value));

    private void Acked(double at, string value, long offset) => _history.Add(new ProduceAcked(At(at), "w", 0, value, offset));

    private void Failed(double at, string value) => _history.Add(new ProduceFailed(At(at), "w", 0, value, "timed out"));

    private void Consumed(double at, long offset, string value) => _history.Add(new RecordConsumed(At(at), "live", 0, offset, value));

    private void Sample(double at, int partition, int epoch) =>
        _history.Add(new MetadataSeen(At(at), partition, Leader: 0, epoch, Isr: AllReplicas, Replicas: AllReplicas));

    private void Stored(int partition, long offset, string value)
    {
        if (!_log.TryGetValue(partition, out var records)) _log[partition] = records = [];
        records.Add(new StoredRecord(offset, value));
    }
}
