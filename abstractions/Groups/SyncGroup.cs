namespace Hub.Groups;

/// <summary>One member's assignment as opaque bytes (Kafka clients: a ConsumerProtocolAssignment).</summary>
[GenerateSerializer, Immutable]
public sealed record MemberAssignment(
    [property: Id(0)] string MemberId,
    [property: Id(1)] byte[] Assignment);

/// <summary>
/// Kafka's SyncGroup request: the leader sends every member's assignment, the others send none and wait
/// for theirs.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SyncGroupRequest
{
    [Id(0)] public int GenerationId { get; init; }

    [Id(1)] public string MemberId { get; init; } = "";

    [Id(2)] public string? GroupInstanceId { get; init; }

    /// <summary>SyncGroup v5+: checked against the group's when given.</summary>
    [Id(3)] public string? ProtocolType { get; init; }

    /// <summary>SyncGroup v5+: checked against the group's when given.</summary>
    [Id(4)] public string? ProtocolName { get; init; }

    /// <summary>The leader's assignment; members it leaves out get an empty one. Empty from followers.</summary>
    [Id(5)] public MemberAssignment[] Assignments { get; init; } = [];
}

/// <summary>Kafka's SyncGroup response: this member's assignment bytes for the generation.</summary>
[GenerateSerializer, Immutable]
public sealed record SyncGroupResult(
    [property: Id(0)] string? ProtocolType,
    [property: Id(1)] string? ProtocolName,
    [property: Id(2)] byte[] Assignment);
