namespace Hub.Partitions;

/// <summary>
/// A transaction that ended in an abort, as a partition indexes it: its producer, its first offset here and the offset
/// of its abort marker. A read_committed Fetch lists those overlapping what it returns, so the client drops their records.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct AbortedTransaction(
    [property: Id(0)] long ProducerId,
    [property: Id(1)] long FirstOffset,
    [property: Id(2)] long LastOffset)
{
    /// <summary>Whether the data batch with <paramref name="batch"/>'s header is one of this transaction's records.</summary>
    public bool Holds(in Batches.RecordBatchHeader batch) =>
        batch.IsTransactional && !batch.IsControl && batch.ProducerId == ProducerId && batch.BaseOffset >= FirstOffset && batch.BaseOffset < LastOffset;

    /// <summary>
    /// Whether the batch belongs to one of the <paramref name="aborted"/> transactions: what a read_committed reader drops
    /// (as Kafka's clients do) and the cleaner removes.
    /// </summary>
    public static bool AnyHolds(AbortedTransaction[] aborted, in Batches.RecordBatchHeader batch)
    {
        foreach (var transaction in aborted)
        {
            if (transaction.Holds(batch)) return true;
        }
        return false;
    }
}
