using Hub.Silo.Log;

namespace Hub.Silo.Transactions;

/// <summary>Whether produced bytes hold a transaction's batch, which needs WRITE on a transactional id before it is appended.</summary>
internal static class TransactionalBatches
{
    public static bool AnyIn(ReadOnlySpan<byte> batches) => BatchHeaders.Any(batches, static header => header.IsTransactional);
}
