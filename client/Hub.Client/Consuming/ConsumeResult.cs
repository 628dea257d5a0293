using Hub.Batches;

namespace Hub.Client;

/// <summary>A consumed record and where it came from; its key, value and headers are slices of the fetched bytes.</summary>
public sealed record ConsumeResult(string Topic, int Partition, Record Record);
