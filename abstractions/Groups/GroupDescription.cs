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
    [property: Id(6)] GroupMemberDescription[] Members)
{
    /// <summary>Which protocol the group's members speak (or last spoke): <see cref="GroupTypes"/>.</summary>
    [Id(7)] public string GroupType { get; init; } = GroupTypes.Classic;
}

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
    [property: Id(2)] GroupState State)
{
    /// <summary>Which protocol the group's members speak (or last spoke): <see cref="GroupTypes"/>.</summary>
    [Id(3)] public string GroupType { get; init; } = GroupTypes.Classic;

    /// <summary>
    /// The state as Kafka names it for the group's type: a consumer-protocol group converging on a new assignment is
    /// Reconciling (shown as <see cref="GroupState.PreparingRebalance"/> in the classic terms of <see cref="State"/>).
    /// </summary>
    public string StateName => GroupType == GroupTypes.Consumer && State == GroupState.PreparingRebalance ? "Reconciling" : State.ToString();
}

/// <summary>Kafka's group types (ListGroups v5, KIP-848).</summary>
public static class GroupTypes
{
    /// <summary>JoinGroup/SyncGroup groups.</summary>
    public const string Classic = "classic";

    /// <summary>ConsumerGroupHeartbeat groups (KIP-848).</summary>
    public const string Consumer = "consumer";
}
