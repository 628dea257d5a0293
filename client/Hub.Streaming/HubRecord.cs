namespace Hub.Streaming;

/// <summary>
/// A record that was not produced through Orleans streams (a Kafka client, the CLI, the SDK), delivered as
/// it is stored: subscribe to <c>IAsyncStream&lt;HubRecord&gt;</c> to read a topic that plain clients write.
/// Its key is the stream key (UTF-8), or the provider's UnkeyedStreamKey for a record without one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HubRecord(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] long Offset,
    [property: Id(3)] long TimestampMs,
    [property: Id(4)] byte[]? Key,
    [property: Id(5)] byte[]? Value,
    [property: Id(6)] IReadOnlyList<HubRecordHeader> Headers);

/// <summary>A header of a <see cref="HubRecord"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record HubRecordHeader([property: Id(0)] string Key, [property: Id(1)] byte[]? Value);
