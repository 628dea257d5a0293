namespace Hub.Partitions;

/// <summary>Kafka's special ListOffsets timestamps; any other non-negative value is a timestamp in ms.</summary>
public static class OffsetSpec
{
    public const long Latest = -1;
    public const long Earliest = -2;

    /// <summary>The first record with the partition's largest timestamp (ListOffsets v7+, KIP-734).</summary>
    public const long MaxTimestamp = -3;
}
