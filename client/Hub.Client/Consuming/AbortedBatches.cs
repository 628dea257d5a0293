using Hub.Batches;
using Hub.Partitions;

namespace Hub.Client.Consuming;

/// <summary>
/// What a read_committed reader drops, as Kafka's clients do: the batches of a transaction that was aborted, which a
/// fetch names (<see cref="FetchResult.AbortedTransactions"/>: producer, first offset, abort marker's offset).
/// </summary>
public static class AbortedBatches
{
    /// <summary>Whether the batch with <paramref name="header"/> belongs to one of the <paramref name="aborted"/> transactions.</summary>
    public static bool Contains(AbortedTransaction[] aborted, in RecordBatchHeader header)
    {
        foreach (var transaction in aborted)
        {
            if (transaction.Holds(header)) return true;
        }
        return false;
    }
}
