using Hub.Batches;

namespace Hub.Client;

/// <summary>
/// A consumed record and where it came from; its key, value and headers are slices of the fetched bytes.
/// A struct, so consuming a record allocates nothing.
/// </summary>
public readonly record struct ConsumeResult(string Topic, int Partition, Record Record);
