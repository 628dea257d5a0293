using Hub.Batches;

namespace Hub.Tests.Kafka;

/// <summary>v2 batches stamped as an idempotent producer's: producer id, epoch and base sequence.</summary>
public static class IdempotentBatches
{
    /// <param name="transactional">Sets the batch's transactional attribute, as a transactional producer does.</param>
    public static byte[] Create(long producerId, short epoch, int baseSequence, int records = 1, bool transactional = false)
    {
        using var builder = new RecordBatchBuilder(1 << 16);
        for (var i = 0; i < records; i++) builder.Append(1_700_000_000_000 + i, [(byte)i], [(byte)baseSequence]);
        return builder.Build(new ProducerStamp(producerId, epoch, baseSequence, transactional)).ToArray();
    }
}
