namespace Hub.Tests.Streaming;

/// <summary>An event published through Orleans streams (serialized by Orleans into the record value).</summary>
[GenerateSerializer, Immutable]
public sealed record Tick([property: Id(0)] int Number);

/// <summary>What a test subscriber received: the event as text and its Hub offset.</summary>
[GenerateSerializer, Immutable]
public sealed record Received([property: Id(0)] string Value, [property: Id(1)] long Offset);
