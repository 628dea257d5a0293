using System.Globalization;

namespace Hub.Faults.Checking;

/// <summary>
/// No record is acknowledged while fewer than min.insync.replicas of its partition's replicas could hold it.
/// The rule, from the history alone: a replica could have held the record unless faults kept its broker down
/// (<see cref="History.FaultStarted.BrokersDown"/>) for the whole stretch from the send to the acknowledgement;
/// the partition's replicas are those its metadata samples name over that stretch. An acknowledgement with fewer
/// such replicas than min.insync.replicas was given by too few disks.
/// Limits: it only sees brokers the fault injector declared down (a broker that exited on its own, or lagged
/// behind while up, counts as able), so it misses some violations and never invents one; send and
/// acknowledgement are stamped by the client around the real request, which widens the stretch (more lenient
/// still); a partition never sampled is not judged.
/// </summary>
internal static class MinInsyncCheck
{
    public static IEnumerable<Anomaly> Find(ProduceLedger ledger, FaultTimeline faults, ReplicaHistory replicas, int minInsyncReplicas)
    {
        foreach (var record in ledger.Acked)
        {
            var acked = record.AckedAt!.Value;
            var assigned = replicas.AssignedDuring(record.Partition, record.SentAt, acked);
            if (assigned.Count == 0) continue;
            var able = assigned.Where(b => !faults.DownThroughout(b, record.SentAt, acked)).Order().ToArray();
            if (able.Length >= minInsyncReplicas) continue;
            yield return new Anomaly(AnomalyKind.BelowMinInsync, acked, record.Partition,
                string.Create(CultureInfo.InvariantCulture,
                    $"{record.Workload} {record.Value} acknowledged at {DeliveryCheck.Place(record.Partition, record.AckedOffset)} "
                    + $"(sent {record.SentAt.TotalSeconds:F3}s, acknowledged {acked.TotalSeconds:F3}s) while only broker(s) [{string.Join(',', able)}] "
                    + $"of replicas [{string.Join(',', assigned.Order())}] were up, min.insync.replicas {minInsyncReplicas}"),
                [record.Value]);
        }
    }
}
