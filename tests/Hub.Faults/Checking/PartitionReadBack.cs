namespace Hub.Faults.Checking;

/// <summary>
/// One partition read from its log start to its high watermark once the cluster healed. <see cref="Incomplete"/>
/// says why the read stopped short, or is null: a short read makes every later record look lost.
/// </summary>
public sealed record PartitionReadBack(int Partition, long LogStart, long HighWatermark, IReadOnlyList<StoredRecord> Records, string? Incomplete);
