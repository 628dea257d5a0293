namespace Hub.Groups;

/// <summary>One protocol a joining member supports (Kafka: an assignor name) with its metadata for it.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupProtocol(
    [property: Id(0)] string Name,
    [property: Id(1)] byte[] Metadata);
