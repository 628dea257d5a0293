using Hub.Batches;
using Hub.Partitions;

namespace Hub.Silo.Cleaner;

/// <summary>
/// The one place that decides what the cleaner may drop, as Kafka's LogCleaner decides it for data without
/// transactions:
/// <list type="bullet">
/// <item>a record is dropped when a newer record with its key is in the offset map (it was superseded), when it has
/// no key (a compacted log can't tell what it stands for), or when it is a tombstone (null value) whose batch's
/// delete horizon has passed (KIP-534: the horizon is set to delete.retention.ms after the cleaner first passed the
/// tombstone, so consumers that read slower than that still see the delete);</item>
/// <item>a batch that keeps no record is dropped, except the last batch of an idempotent producer still in the
/// producer state (it carries the producer's last sequence, so its retries are still recognized) and the last batch
/// of a rewritten run of segments (so the cleaned segment ends where the old ones did); those are kept empty, with
/// their offsets, sequence and epoch;</item>
/// <item>a batch of an aborted transaction is dropped (as Kafka's cleaner drops aborted data), kept empty where the
/// rule above keeps empty batches; the cleaner never reaches past the last stable offset, so every transaction it sees
/// has ended;</item>
/// <item>a committed transaction's batches are compacted like any other (their records feed the offset map and may be
/// superseded), keeping their transactional attribute;</item>
/// <item>control batches (transaction markers, attribute bit 5) feed nothing to the offset map. A marker goes as in
/// Kafka: once a cleaning reads no batch of its transaction (an aborted transaction's batches went, a committed one's
/// records were all superseded) the marker gets a delete horizon of delete.retention.ms, like a tombstone, so a
/// reader slower than that still sees it; a later cleaning past the horizon removes it, with its entry in the
/// aborted-transaction index (<see cref="TransactionMarkers"/>). A marker ending a rewritten run stays, like a
/// batch.</item>
/// </list>
/// </summary>
internal static class CompactionRules
{
    /// <summary>KIP-534's batch attribute bit 6: the base timestamp is the batch's delete horizon.</summary>
    public const short DeleteHorizonFlag = 0x40;

    /// <summary>Batches that put no key in the offset map: transaction markers and the aborted transactions' batches.</summary>
    public static bool FeedsNoKeys(in RecordBatchHeader batch, AbortedTransaction[] aborted) =>
        batch.IsControl || AbortedTransaction.AnyHolds(aborted, batch);

    /// <summary>What becomes of a transaction marker in a cleaning (see the class comment).</summary>
    /// <param name="leftNoBatches">The cleaning read no batch of the marker's transaction.</param>
    public static MarkerFate MarkerFateOf(in RecordBatchHeader marker, bool leftNoBatches, bool lastOfRewrite, long mapEnd, long nowMs)
    {
        if (!leftNoBatches || lastOfRewrite || marker.LastOffset >= mapEnd) return MarkerFate.Kept;
        return DeleteHorizonOf(marker) is not { } horizon ? MarkerFate.GetsHorizon : nowMs >= horizon ? MarkerFate.Removed : MarkerFate.Kept;
    }

    public enum MarkerFate
    {
        Kept,
        GetsHorizon,
        Removed,
    }

    /// <summary>The batch's delete horizon (ms since the epoch) once a cleaner set it; null before.</summary>
    public static long? DeleteHorizonOf(in RecordBatchHeader batch) =>
        (batch.Attributes & DeleteHorizonFlag) != 0 ? batch.BaseTimestamp : null;

    /// <summary>
    /// Whether a record of a batch the cleaner may change stays. Records at or past <paramref name="mapEnd"/> were not
    /// looked at when the map was built and all stay.
    /// </summary>
    /// <param name="tombstonesExpired">The record's batch has a delete horizon, and it has passed.</param>
    public static bool KeepsRecord(in Record record, OffsetMap map, long mapEnd, bool tombstonesExpired)
    {
        if (record.Offset >= mapEnd) return true;
        if (record.Key is not { } key) return false;
        if (map.NewestOffsetOf(key.Span) > record.Offset) return false;
        return record.Value is not null || !tombstonesExpired;
    }

    /// <summary>Whether a batch left with no record is kept, empty (see the class comment).</summary>
    /// <param name="producerLastOffsets">Last offset of each producer in the log's producer state, by producer id.</param>
    public static bool KeepsEmpty(in RecordBatchHeader batch, bool lastOfRewrite, IReadOnlyDictionary<long, long> producerLastOffsets) =>
        lastOfRewrite || (batch.ProducerId >= 0 && producerLastOffsets.TryGetValue(batch.ProducerId, out var last) && last == batch.LastOffset);
}
