namespace Hub.Silo.Log;

/// <summary>
/// What a partition remembers of one idempotent producer: its epoch, its newest batches (oldest first, at most
/// <see cref="ProducerStateTable.CachedBatches"/>), when it last appended, by the broker's clock (expiry
/// measures idleness from it), and the first offset of its transaction open here (-1: none). The form in which <see cref="ProducerStateTable"/> hands its producers to a
/// snapshot and takes them back.
/// </summary>
internal sealed record ProducerState(long ProducerId, short Epoch, long LastAppendMs, IReadOnlyList<ProducerBatch> Batches, long TransactionFirstOffset = -1);
