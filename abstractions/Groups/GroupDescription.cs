namespace Hub.Groups;

/// <summary>Kafka's DescribeGroups answer for one group. An unknown group is described as <see cref="GroupState.Dead"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupDescription(
    [property: Id(0)] string GroupId,
    [property: Id(1)] GroupState State,
    [property: Id(2)] string ProtocolType,
    [property: Id(3)] string ProtocolName,
    [property: Id(4)] int GenerationId,
    [property: Id(5)] string LeaderId,
    [property: Id(6)] GroupMemberDescription[] Members);

/// <summary>One member: its metadata for the group's protocol and its assignment in the current generation (bytes as exchanged).</summary>
[GenerateSerializer, Immutable]
public sealed record GroupMemberDescription(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] string ClientHost,
    [property: Id(4)] byte[] Metadata,
    [property: Id(5)] byte[] Assignment);

/// <summary>Kafka's ListGroups entry.</summary>
[GenerateSerializer, Immutable]
public sealed record GroupListing(
    [property: Id(0)] string GroupId,
    [property: Id(1)] string ProtocolType,
    [property: Id(2)] GroupState State);
