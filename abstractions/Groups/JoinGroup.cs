namespace Hub.Groups;

/// <summary>
/// Kafka's JoinGroup request (v5+ fields). A new member sends an empty <see cref="MemberId"/>; the group
/// assigns one. See <see cref="Grains.IConsumerGroupGrain.JoinGroup"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JoinGroupRequest
{
    /// <summary>The member's id from an earlier JoinGroup of this group, or "" for a new member.</summary>
    [Id(0)] public string MemberId { get; init; } = "";

    /// <summary>group.instance.id: a static member keeps its identity (and assignment) across restarts.</summary>
    [Id(1)] public string? GroupInstanceId { get; init; }

    [Id(2)] public string ClientId { get; init; } = "";

    [Id(3)] public string ClientHost { get; init; } = "";

    /// <summary>The member is removed when it sends no heartbeat for this long.</summary>
    [Id(4)] public int SessionTimeoutMs { get; init; }

    /// <summary>How long a rebalance waits for members to rejoin (Kafka: max.poll.interval.ms); 0 = the session timeout (JoinGroup v0).</summary>
    [Id(5)] public int RebalanceTimeoutMs { get; init; }

    /// <summary>"consumer" for Kafka clients, "hub" for server-assigned SDK groups (<see cref="GroupProtocolTypes"/>).</summary>
    [Id(6)] public string ProtocolType { get; init; } = "";

    /// <summary>The protocols (assignors) this member supports, most preferred first, each with its metadata.</summary>
    [Id(7)] public GroupProtocol[] Protocols { get; init; } = [];

    /// <summary>
    /// JoinGroup v4+: a new member first gets <see cref="ErrorCode.MemberIdRequired"/> with an id and must join
    /// again with it, so a retried request can't add a second member.
    /// </summary>
    [Id(8)] public bool RequireKnownMemberId { get; init; }

    /// <summary>Why the member (re)joins, for the log (JoinGroup v8+).</summary>
    [Id(9)] public string? Reason { get; init; }
}

/// <summary>A member as the leader sees it in its JoinGroup result: its metadata for the chosen protocol.</summary>
[GenerateSerializer, Immutable]
public sealed record JoinGroupMember(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId,
    [property: Id(2)] byte[] Metadata);

/// <summary>
/// Kafka's JoinGroup response. <see cref="Error"/> is <see cref="ErrorCode.None"/>, or one of two answers that
/// carry a <see cref="MemberId"/> and ask the member to send JoinGroup again with it:
/// <see cref="ErrorCode.MemberIdRequired"/> (the id to use) and <see cref="ErrorCode.RebalanceInProgress"/>
/// (the rebalance outlasted one call's wait; the member stays joined). Other refusals are thrown as
/// <see cref="Errors.HubException"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JoinGroupResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] int GenerationId,
    [property: Id(2)] string? ProtocolType,
    [property: Id(3)] string? ProtocolName,
    [property: Id(4)] string LeaderId,
    [property: Id(5)] string MemberId,
    [property: Id(6)] JoinGroupMember[] Members,
    [property: Id(7)] byte[]? Assignment)
{
    /// <summary>Members' metadata: filled only in the leader's result, empty for everyone else.</summary>
    public bool IsLeader => MemberId == LeaderId;

    /// <summary>
    /// Kafka's JoinGroup v9 skip_assignment (KIP-814): a static leader that restarted into a stable group gets the
    /// members' metadata but must not reassign; its SyncGroup brings back the current assignment.
    /// </summary>
    [Id(8)] public bool SkipAssignment { get; init; }

    public static JoinGroupResult Retry(ErrorCode error, string memberId, int generationId) =>
        new(error, generationId, null, null, "", memberId, [], null);
}
