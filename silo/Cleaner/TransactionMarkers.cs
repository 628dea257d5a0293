using Hub.Batches;

namespace Hub.Silo.Cleaner;

/// <summary>
/// What one cleaning learns of transactions as it walks a log from its start in offset order (Kafka's
/// CleanedTransactionMetadata): whether a transaction still had a batch in the log when its marker is reached, which
/// is when the marker may start to go (see <see cref="CompactionRules.MarkerFateOf"/>), and which markers went.
/// A transaction's batches all come before its marker, so a walk from the log start sees each of them.
/// </summary>
internal sealed class TransactionMarkers
{
    /// <summary>Producers whose open transaction had a batch read since their last marker.</summary>
    private readonly HashSet<long> _withBatches = [];

    private readonly List<long> _removed = [];

    /// <summary>Offsets of the markers this cleaning removed, in offset order.</summary>
    public IReadOnlyList<long> Removed => _removed;

    /// <summary>A data batch was read, whatever the cleaner then keeps of it: a transactional one keeps its marker this time.</summary>
    public void BatchRead(in RecordBatchHeader batch)
    {
        if (batch.IsTransactional && !batch.IsControl) _withBatches.Add(batch.ProducerId);
    }

    /// <summary>The marker ends its producer's transaction; true when no batch of that transaction was read.</summary>
    public bool LeftNoBatches(in RecordBatchHeader marker) => !_withBatches.Remove(marker.ProducerId);

    public void MarkerRemoved(in RecordBatchHeader marker) => _removed.Add(marker.BaseOffset);
}
