namespace Hub.Batches;

/// <summary>
/// Byte positions in Kafka's v2 record batch (magic 2), all integers big-endian:
/// <code>
/// baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
/// attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
/// producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
/// </code>
/// batchLength counts the bytes after itself; the CRC-32C covers attributes to the end, so the broker can
/// patch baseOffset and partitionLeaderEpoch without recomputing it.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffset = 0;
    public const int BatchLength = 8;
    public const int PartitionLeaderEpoch = 12;
    public const int Magic = 16;
    public const int Crc = 17;
    public const int Attributes = 21;
    public const int LastOffsetDelta = 23;
    public const int BaseTimestamp = 27;
    public const int MaxTimestamp = 35;
    public const int ProducerId = 43;
    public const int ProducerEpoch = 51;
    public const int BaseSequence = 53;
    public const int RecordCount = 57;

    /// <summary>Size of the fixed header; records start here.</summary>
    public const int HeaderSize = 61;

    /// <summary>baseOffset + batchLength: the bytes not counted by batchLength.</summary>
    public const int LogOverhead = 12;

    public const byte CurrentMagic = 2;

    /// <summary>Attribute bits.</summary>
    public const short CompressionMask = 0x07;
    public const short TimestampTypeLogAppendTime = 0x08;
    public const short TransactionalFlag = 0x10;
    public const short ControlFlag = 0x20;
}
