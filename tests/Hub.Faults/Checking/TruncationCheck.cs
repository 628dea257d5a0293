using Hub.Faults.History;

namespace Hub.Faults.Checking;

/// <summary>
/// A record a consumer saw during the run is still at its offset when the log is read back: consumers only see
/// records below the high watermark, which must never be truncated. Partitions read back only in part are not judged.
/// </summary>
internal static class TruncationCheck
{
    public static IEnumerable<Anomaly> Find(IEnumerable<RecordConsumed> consumptions, ReadBackIndex readBack)
    {
        var judged = new HashSet<(int Partition, long Offset, string Value)>();
        foreach (var consumed in consumptions)
        {
            if (!readBack.IsComplete(consumed.Partition) || !judged.Add((consumed.Partition, consumed.Offset, consumed.Value))) continue;
            var place = DeliveryCheck.Place(consumed.Partition, consumed.Offset);
            if (!readBack.TryGetAt(consumed.Partition, consumed.Offset, out var stored))
                yield return Seen(consumed, $"{consumed.Reader} saw {consumed.Value} at {place}; the log read back has nothing there");
            else if (stored != consumed.Value)
                yield return Seen(consumed, $"{consumed.Reader} saw {consumed.Value} at {place}; the log read back has {stored ?? "null"} there");
        }
    }

    private static Anomaly Seen(RecordConsumed consumed, string description) =>
        new(AnomalyKind.Truncated, consumed.At, consumed.Partition, description, [consumed.Value]);
}
