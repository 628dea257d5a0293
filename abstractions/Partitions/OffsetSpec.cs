namespace Hub.Partitions;

/// <summary>Kafka's special ListOffsets timestamps; any other non-negative value is a timestamp in ms.</summary>
public static class OffsetSpec
{
    public const long Latest = -1;
    public const long Earliest = -2;
}
