using System.Globalization;

namespace Hub.Faults.Checking;

/// <summary>
/// Every acknowledged record is read back exactly once, in the partition and at the offset its acknowledgement
/// gave; nothing is read back twice, acknowledged or not (the producers are idempotent); nothing read back was
/// never sent. A partition read back only in part is reported once and its records are not judged lost.
/// A negative acknowledged offset means the client acknowledged without one: librdkafka reports -1001 for records it
/// counts as stored because a later batch of the same producer was acknowledged (an implicit ack), and the SDK
/// -1 for a batch the partition answered as a duplicate; those records are still read back exactly once.
/// </summary>
internal static class DeliveryCheck
{
    public static IEnumerable<Anomaly> Find(ProduceLedger ledger, ReadBackIndex readBack, TimeSpan runEnd)
    {
        foreach (var partition in readBack.Partitions.Where(p => p.Incomplete is not null))
            yield return new Anomaly(AnomalyKind.ReadBackIncomplete, runEnd, partition.Partition, partition.Incomplete!, []);

        foreach (var record in ledger.Acked)
        {
            var places = readBack.PlacesOf(record.Value);
            if (places.Count == 0)
            {
                if (readBack.IsComplete(record.Partition))
                    yield return Concerning(AnomalyKind.Lost, record, $"acknowledged at {Place(record.Partition, record.AckedOffset)}, not read back");
            }
            else if (record.AckedOffset >= 0 && !places.Contains((record.Partition, record.AckedOffset)))
            {
                yield return Concerning(AnomalyKind.WrongOffset, record,
                    $"acknowledged at {Place(record.Partition, record.AckedOffset)}, read back at {string.Join(", ", places.Select(p => Place(p.Partition, p.Offset)))}");
            }
        }

        foreach (var (value, places) in readBack.Values)
        {
            var record = ledger.Find(value);
            if (record is null)
            {
                yield return new Anomaly(AnomalyKind.Unknown, runEnd, places[0].Partition,
                    $"read back at {string.Join(", ", places.Select(p => Place(p.Partition, p.Offset)))}, never sent", [value]);
            }
            else if (places.Count > 1)
            {
                yield return Concerning(AnomalyKind.Duplicated, record,
                    $"{(record.IsAcked ? "acknowledged" : "unacknowledged")} record read back {places.Count} times: {string.Join(", ", places.Select(p => Place(p.Partition, p.Offset)))}");
            }
        }
    }

    internal static string Place(int partition, long offset) => string.Create(CultureInfo.InvariantCulture, $"{partition}@{offset}");

    private static Anomaly Concerning(AnomalyKind kind, ProducedRecord record, string description) =>
        new(kind, record.AckedAt ?? record.SentAt, record.Partition, $"{record.Workload} {record.Value}: {description}", [record.Value]);
}
