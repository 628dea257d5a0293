namespace Hub.Partitions;

/// <summary>Where an appended set of batches landed: offsets [BaseOffset, LastOffset].</summary>
[GenerateSerializer, Immutable]
public readonly record struct AppendResult(
    [property: Id(0)] long BaseOffset,
    [property: Id(1)] long LastOffset,
    [property: Id(2)] long LogAppendTimeMs,
    [property: Id(3)] long LogStartOffset);
