namespace Hub.Client;

/// <summary>Where a produced record landed. <see cref="Offset"/> is -1 with <see cref="Acks.None"/>.</summary>
public sealed record RecordMetadata(string Topic, int Partition, long Offset, long TimestampMs);
