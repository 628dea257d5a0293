namespace Hub.Partitions;

/// <summary>An offset and the timestamp of the record there; Offset is -1 when no record matched.</summary>
[GenerateSerializer, Immutable]
public readonly record struct OffsetAndTimestamp(
    [property: Id(0)] long Offset,
    [property: Id(1)] long TimestampMs);
