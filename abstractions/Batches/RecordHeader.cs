namespace Hub.Batches;

/// <summary>A record header: a UTF-8 key and an optional byte value.</summary>
[GenerateSerializer, Immutable]
public readonly record struct RecordHeader([property: Id(0)] string Key, [property: Id(1)] ReadOnlyMemory<byte>? Value);
