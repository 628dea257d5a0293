namespace Hub.Groups;

/// <summary>
/// Partitions of one topic, named by topic id as KIP-848's heartbeat names them (a topic deleted and created again
/// under its name is another topic).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TopicIdPartitions(
    [property: Id(0)] Guid TopicId,
    [property: Id(1)] int[] Partitions);

/// <summary>
/// Kafka's ConsumerGroupHeartbeat request (KIP-848, the consumer group protocol): a member joins with epoch 0,
/// heartbeats with its epoch, leaves with -1 (a static member that will come back: -2). Fields left null did not
/// change since the member's last heartbeat. See <see cref="Grains.IConsumerGroupGrain.ConsumerGroupHeartbeat"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConsumerGroupHeartbeatRequest
{
    /// <summary>Epoch of a member joining (or rejoining after it was fenced).</summary>
    public const int JoinEpoch = 0;

    /// <summary>Epoch of a member leaving the group.</summary>
    public const int LeaveEpoch = -1;

    /// <summary>Epoch of a static member leaving for a while: it keeps its assignment until its session times out.</summary>
    public const int StaticLeaveEpoch = -2;

    /// <summary>The member's id; clients since KIP-1082 make it themselves, "" on a join asks the group for one.</summary>
    [Id(0)] public string MemberId { get; init; } = "";

    [Id(1)] public int MemberEpoch { get; init; }

    /// <summary>group.instance.id of a static member (null: dynamic, or unchanged).</summary>
    [Id(2)] public string? InstanceId { get; init; }

    [Id(3)] public string? RackId { get; init; }

    /// <summary>How long the member may take to revoke partitions (max.poll.interval.ms); -1: unchanged.</summary>
    [Id(4)] public int RebalanceTimeoutMs { get; init; } = -1;

    [Id(5)] public string[]? SubscribedTopicNames { get; init; }

    /// <summary>A regular expression over topic names (Kafka's are RE2/J; .NET's syntax agrees on the common part).</summary>
    [Id(6)] public string? SubscribedTopicRegex { get; init; }

    /// <summary>The server-side assignor the member prefers (uniform, range); null: the group's default.</summary>
    [Id(7)] public string? ServerAssignor { get; init; }

    /// <summary>The partitions the member owns now; null: unchanged since its last heartbeat.</summary>
    [Id(8)] public TopicIdPartitions[]? OwnedPartitions { get; init; }

    [Id(9)] public string ClientId { get; init; } = "";

    [Id(10)] public string ClientHost { get; init; } = "";
}

/// <summary>
/// ConsumerGroupHeartbeat's answer. <see cref="Assignment"/> is null when it did not change since the member's
/// last heartbeat (and the request was not a full one): the member keeps what it has.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConsumerGroupHeartbeatResult(
    [property: Id(0)] string MemberId,
    [property: Id(1)] int MemberEpoch,
    [property: Id(2)] int HeartbeatIntervalMs,
    [property: Id(3)] TopicIdPartitions[]? Assignment);

/// <summary>A member of a consumer-protocol group, as ConsumerGroupDescribe shows it.</summary>
[GenerateSerializer, Immutable]
public sealed record ConsumerGroupMemberDescription(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? InstanceId,
    [property: Id(2)] string? RackId,
    [property: Id(3)] int MemberEpoch,
    [property: Id(4)] string ClientId,
    [property: Id(5)] string ClientHost,
    [property: Id(6)] string[] SubscribedTopicNames,
    [property: Id(7)] string? SubscribedTopicRegex,
    [property: Id(8)] TopicPartition[] Assignment,
    [property: Id(9)] TopicPartition[] TargetAssignment);

/// <summary>
/// A consumer-protocol group as ConsumerGroupDescribe shows it. <see cref="State"/> is one of Kafka's strings: Empty,
/// Assigning, Reconciling, Stable, Dead.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ConsumerGroupDescription(
    [property: Id(0)] string GroupId,
    [property: Id(1)] string State,
    [property: Id(2)] int GroupEpoch,
    [property: Id(3)] int AssignmentEpoch,
    [property: Id(4)] string AssignorName,
    [property: Id(5)] ConsumerGroupMemberDescription[] Members);
