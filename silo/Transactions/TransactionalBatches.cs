using Hub.Batches;

namespace Hub.Silo.Transactions;

/// <summary>Whether produced bytes hold a transaction's batch, which needs WRITE on a transactional id before it is appended.</summary>
internal static class TransactionalBatches
{
    /// <summary>Walks the batch headers; a torn tail ends the walk (the log refuses it on append).</summary>
    public static bool AnyIn(ReadOnlySpan<byte> batches)
    {
        while (RecordBatchHeader.TryRead(batches, out var header))
        {
            if (header.IsTransactional) return true;
            if (header.TotalSize <= 0 || header.TotalSize > batches.Length) return false;
            batches = batches[header.TotalSize..];
        }
        return false;
    }
}
