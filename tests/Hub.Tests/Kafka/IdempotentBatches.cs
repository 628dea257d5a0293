using System.Buffers.Binary;
using Hub.Batches;

namespace Hub.Tests.Kafka;

/// <summary>v2 batches stamped as an idempotent producer's: producer id, epoch and base sequence, CRC recomputed.</summary>
public static class IdempotentBatches
{
    /// <param name="transactional">Sets the batch's transactional attribute, as a transactional producer does.</param>
    public static byte[] Create(long producerId, short epoch, int baseSequence, int records = 1, bool transactional = false)
    {
        using var builder = new RecordBatchBuilder(1 << 16);
        for (var i = 0; i < records; i++) builder.Append(1_700_000_000_000 + i, [(byte)i], [(byte)baseSequence]);
        var batch = builder.Build().ToArray();
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatchLayout.ProducerId), producerId);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchLayout.ProducerEpoch), epoch);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.BaseSequence), baseSequence);
        if (transactional) BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchLayout.Attributes), RecordBatchLayout.TransactionalFlag);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchLayout.Crc), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }
}
