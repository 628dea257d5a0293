namespace Hub.Client;

/// <summary>
/// Where a produced record landed. <see cref="Offset"/> is -1 with <see cref="Acks.None"/>. A struct: every
/// acknowledged record gets one, and as a class it was the producer's last allocation per record (48 bytes,
/// a quarter of the CLI's allocations at 100-byte records; measured with tests/Hub.Benchmarks).
/// </summary>
public readonly record struct RecordMetadata(string Topic, int Partition, long Offset, long TimestampMs);
