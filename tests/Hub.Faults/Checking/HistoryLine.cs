using System.Globalization;
using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>One history event as a line of the report: its time since the run's start, what happened, where.</summary>
internal static class HistoryLine
{
    public static string Format(HistoryEvent e) => string.Create(CultureInfo.InvariantCulture, $"{e.At.TotalSeconds,9:F3}s {What(e)}");

    private static string What(HistoryEvent e) => e switch
    {
        ProduceSent s => $"sent      {s.Workload} p{s.Partition} {s.Value}",
        ProduceAcked a => $"acked     {a.Workload} p{a.Partition} {a.Value} at offset {a.Offset}",
        ProduceFailed f => $"failed    {f.Workload} p{f.Partition} {f.Value}: {f.Error}",
        RecordConsumed c => $"consumed  {c.Reader} p{c.Partition} {c.Value} at offset {c.Offset}",
        CommittedRecordConsumed c => $"consumed  read_committed p{c.Partition} {c.Value} at offset {c.Offset}",
        TransactionWritten w => $"txn       {w.Transaction} wrote {string.Join(", ", w.Records.Select(r => $"p{r.Partition} {r.Value}"))}",
        TransactionEnded t => $"txn       {t.Transaction} {t.Outcome}" + (t.Error is null ? "" : $": {t.Error}"),
        MetadataSeen m => $"metadata  p{m.Partition} leader {m.Leader} epoch {m.LeaderEpoch} isr [{string.Join(',', m.Isr)}]"
            + (m.Replicas is null ? "" : $" replicas [{string.Join(',', m.Replicas)}]"),
        FaultStarted f => $"FAULT     {f.Kind}: {f.Detail}" + (f.BrokersDown is { Count: > 0 } down ? $" (down: {string.Join(',', down)})" : ""),
        FaultEnded f => $"HEALED    {f.Kind}: {f.Detail}",
        _ => e.ToString(),
    };
}
