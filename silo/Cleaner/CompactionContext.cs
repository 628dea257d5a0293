using Hub.Partitions;

namespace Hub.Silo.Cleaner;

/// <summary>What every batch of one cleaning is judged by (see <see cref="CompactionRules"/>).</summary>
/// <param name="MapEnd">Records at or past this offset were not put in the map and all stay.</param>
/// <param name="NowMs">The cleaning's time: tombstones whose horizon is not after it go; new horizons start from it.</param>
/// <param name="DeleteRetentionMs">The topic's delete.retention.ms.</param>
/// <param name="ProducerLastOffsets">The last offset of each producer in the log's producer state.</param>
/// <param name="Aborted">The aborted transactions with records in the cleaned segments.</param>
/// <param name="Markers">What the walk has learnt of transactions so far; shared by the cleaning's runs, in offset order.</param>
internal sealed record CompactionContext(OffsetMap Map, long MapEnd, long NowMs, long DeleteRetentionMs, IReadOnlyDictionary<long, long> ProducerLastOffsets,
    AbortedTransaction[] Aborted, TransactionMarkers Markers)
{
    /// <summary>The delete horizon a batch gets when the cleaner first passes a tombstone in it.</summary>
    public long NewDeleteHorizon => DeleteRetentionMs >= long.MaxValue - NowMs ? long.MaxValue : NowMs + DeleteRetentionMs;
}
