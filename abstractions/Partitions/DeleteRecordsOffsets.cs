namespace Hub.Partitions;

/// <summary>The special offset of Kafka's DeleteRecords.</summary>
public static class DeleteRecordsOffsets
{
    /// <summary>Delete every record below the high watermark (Kafka's DeleteRecordsRequest.HIGH_WATERMARK).</summary>
    public const long HighWatermark = -1;
}
