namespace Hub.Faults.Checking;

/// <summary>
/// Per workload and partition, acknowledged records sit in the log in the order they were sent: a record read
/// back before one its workload sent earlier (and that was acknowledged too) is reordered. Records that were not
/// acknowledged are not judged: a client may have given up on them and sent the next.
/// </summary>
internal static class OrderCheck
{
    public static IEnumerable<Anomaly> Find(ProduceLedger ledger, ReadBackIndex readBack)
    {
        foreach (var stream in ledger.Acked.GroupBy(r => (r.Workload, r.Partition)))
        {
            ProducedRecord? furthest = null;
            var furthestOffset = -1L;
            foreach (var record in stream.OrderBy(r => r.Order))
            {
                var offset = OffsetInPartition(record, readBack);
                if (offset is null) continue;
                if (offset < furthestOffset)
                {
                    yield return new Anomaly(AnomalyKind.Reordered, record.AckedAt!.Value, record.Partition,
                        $"{record.Workload} {record.Value} read back at {DeliveryCheck.Place(record.Partition, offset.Value)}, before {furthest!.Value} "
                        + $"(at {DeliveryCheck.Place(record.Partition, furthestOffset)}) which was sent earlier",
                        [furthest.Value, record.Value]);
                }
                else
                {
                    furthest = record;
                    furthestOffset = offset.Value;
                }
            }
        }
    }

    /// <summary>Where the record is in the partition it was sent to: at its acknowledged offset if it is there, else its first place.</summary>
    private static long? OffsetInPartition(ProducedRecord record, ReadBackIndex readBack)
    {
        var places = readBack.PlacesOf(record.Value).Where(p => p.Partition == record.Partition).Select(p => p.Offset).ToArray();
        if (places.Length == 0) return null;
        return places.Contains(record.AckedOffset) ? record.AckedOffset : places.Min();
    }
}
