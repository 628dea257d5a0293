using System.Buffers.Binary;

namespace Hub.Batches;

/// <summary>What a transaction marker says: Kafka's control record types for transactions.</summary>
public enum TransactionResult : short
{
    Abort = 0,
    Commit = 1,
}

/// <summary>
/// Kafka's transaction markers (KIP-98): a control batch (transactional and control attribute bits set) of one record
/// whose key is <c>version int16 (0) | type int16</c> and whose value is <c>version int16 (0) | coordinator epoch int32</c>,
/// stamped with the producer's id and epoch and no sequence. The coordinator has one written into every partition of a
/// transaction when it ends; readers at read_committed drop an aborted transaction's records by it.
/// </summary>
public static class TransactionMarker
{
    private const short Version = 0;
    private const int KeySize = 4;
    private const int ValueSize = 6;

    /// <summary>The marker's whole batch, offsets and leader epoch left for the log to assign.</summary>
    public static byte[] Build(long producerId, short producerEpoch, TransactionResult result, int coordinatorEpoch, long timestampMs)
    {
        var key = new byte[KeySize];
        BinaryPrimitives.WriteInt16BigEndian(key, Version);
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), (short)result);
        var value = new byte[ValueSize];
        BinaryPrimitives.WriteInt16BigEndian(value, Version);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(2), coordinatorEpoch);
        using var builder = new RecordBatchBuilder(maxSizeBytes: 1024, initialCapacity: 128);
        builder.Append(timestampMs, key, value);
        var batch = builder.Build(new ProducerStamp(producerId, producerEpoch, -1)).ToArray();
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(RecordBatchLayout.Attributes),
            RecordBatchLayout.TransactionalFlag | RecordBatchLayout.ControlFlag);
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(RecordBatchLayout.Crc), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    /// <summary>The result a control batch marks; false for a batch that is not a transaction marker.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> batch, out TransactionResult result)
    {
        result = default;
        if (!RecordBatchHeader.TryRead(batch.Span, out var header) || !header.IsControl || header.Compression != CompressionType.None) return false;
        var reader = new RecordReader(batch);
        if (!reader.MoveNext() || reader.Current.Key is not { Length: KeySize } key) return false;
        var type = BinaryPrimitives.ReadInt16BigEndian(key.Span[2..]);
        if (type is not ((short)TransactionResult.Abort or (short)TransactionResult.Commit)) return false;
        result = (TransactionResult)type;
        return true;
    }
}
