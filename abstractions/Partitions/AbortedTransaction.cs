namespace Hub.Partitions;

/// <summary>
/// A transaction that ended in an abort, as a partition indexes it: its producer, its first offset here and the offset
/// of its abort marker. A read_committed Fetch lists those overlapping what it returns, so the client drops their records.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct AbortedTransaction(
    [property: Id(0)] long ProducerId,
    [property: Id(1)] long FirstOffset,
    [property: Id(2)] long LastOffset);
