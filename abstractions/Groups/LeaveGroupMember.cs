namespace Hub.Groups;

/// <summary>
/// A member leaving (LeaveGroup v3+ takes several): by member id, or by group.instance.id with an empty
/// member id (an operator removing a static member).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LeaveGroupMember(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId = null);
