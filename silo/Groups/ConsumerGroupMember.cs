using Hub.Groups;

namespace Hub.Silo.Groups;

/// <summary>Where a consumer-protocol member is in reaching its target assignment (Kafka's MemberState).</summary>
internal enum ConsumerMemberState
{
    /// <summary>At the target epoch with every target partition it may have.</summary>
    Stable,

    /// <summary>Must give partitions up first: its epoch stays until it reports them revoked.</summary>
    UnrevokedPartitions,

    /// <summary>At the target epoch, waiting for partitions other members still hold.</summary>
    UnreleasedPartitions,
}

/// <summary>
/// A member of a consumer-protocol (KIP-848) group, in memory only (Kafka's ConsumerGroupMember): what it subscribes
/// to, its epoch, the partitions it may read now and those it must still revoke.
/// </summary>
internal sealed class ConsumerGroupMember(string memberId, long nowTimestamp)
{
    public string MemberId { get; set; } = memberId;

    public string? InstanceId { get; set; }

    public string? RackId { get; set; }

    public string ClientId { get; set; } = "";

    public string ClientHost { get; set; } = "";

    /// <summary>The target epoch the member reached last; <see cref="ConsumerGroupHeartbeatRequest.StaticLeaveEpoch"/> while a static member is away.</summary>
    public int MemberEpoch { get; set; }

    /// <summary>The epoch before the last change: a member whose answer was lost may still send it.</summary>
    public int PreviousMemberEpoch { get; set; }

    public ConsumerMemberState State { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public string[] SubscribedTopicNames { get; set; } = [];

    public string? SubscribedTopicRegex { get; set; }

    public string? ServerAssignor { get; set; }

    /// <summary>Partitions the member may read now.</summary>
    public HashSet<TopicPartition> Assigned { get; set; } = [];

    /// <summary>Partitions the member was told to give up and has not yet reported released.</summary>
    public HashSet<TopicPartition> PendingRevocation { get; set; } = [];

    /// <summary>Monotonic timestamp (TimeProvider ticks) of the last heartbeat.</summary>
    public long LastSeen { get; set; } = nowTimestamp;

    /// <summary>While <see cref="ConsumerMemberState.UnrevokedPartitions"/>: when the member is fenced for not revoking.</summary>
    public long RevocationDeadline { get; set; }

    public bool IsAway => MemberEpoch == ConsumerGroupHeartbeatRequest.StaticLeaveEpoch;
}
