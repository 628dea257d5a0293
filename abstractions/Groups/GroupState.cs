namespace Hub.Groups;

/// <summary>
/// Where a group is in Kafka's classic rebalance protocol; the names are Kafka's (DescribeGroups and
/// ListGroups report them as these strings).
/// </summary>
public enum GroupState
{
    /// <summary>No members; the group may still hold committed offsets.</summary>
    Empty,

    /// <summary>A rebalance started: members must send JoinGroup again; heartbeats answer RebalanceInProgress.</summary>
    PreparingRebalance,

    /// <summary>Everyone joined; waiting for the leader's SyncGroup with the assignment.</summary>
    CompletingRebalance,

    /// <summary>Every member has its assignment for the current generation.</summary>
    Stable,

    /// <summary>No such group (never created, deleted or expired), or it is being deleted right now.</summary>
    Dead,
}
