using Hub.Groups;

namespace Hub.Client;

/// <summary>Where a group consumer starts in a partition for which its group has no committed offset (Kafka's auto.offset.reset).</summary>
public enum AutoOffsetReset
{
    /// <summary>At the partition's earliest retained record.</summary>
    Earliest,

    /// <summary>At the partition's end: only records written from now on.</summary>
    Latest,

    /// <summary>Nowhere: consuming fails with <see cref="ErrorCode.OffsetOutOfRange"/>.</summary>
    None,
}

/// <summary>How a group consumer takes part in its group (Kafka's group.protocol).</summary>
public enum GroupMembershipProtocol
{
    /// <summary>
    /// KIP-848's consumer group protocol: the group assigns partitions on the silo and each member converges on its share
    /// with its heartbeats, with no group-wide barrier; only partitions that move are revoked.
    /// </summary>
    Consumer,

    /// <summary>The classic JoinGroup/SyncGroup rebalance protocol, where every member rejoins on each rebalance.</summary>
    Classic,
}

/// <summary>
/// Settings of a <see cref="HubGroupConsumer"/>, named after their Kafka counterparts (group.id,
/// session.timeout.ms, heartbeat.interval.ms, partition.assignment.strategy, enable.auto.commit, ...).
/// </summary>
public sealed class GroupConsumerOptions
{
    /// <summary>The group (group.id): members of one group share the partitions; different groups each see every record.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>Topics to read; each must exist when the consumer starts.</summary>
    public IList<string> Topics { get; set; } = [];

    /// <summary>Start position where the group has committed nothing (auto.offset.reset); Kafka's default is Latest.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>The group protocol (group.protocol): <see cref="GroupMembershipProtocol.Consumer"/> unless set.</summary>
    public GroupMembershipProtocol Protocol { get; set; } = GroupMembershipProtocol.Consumer;

    /// <summary>
    /// Classic protocol: a member silent this long is removed and its partitions go to others (session.timeout.ms).
    /// Must lie within the silo's GroupMinSessionTimeout..GroupMaxSessionTimeout (6 s..30 min by default). The consumer
    /// protocol's session timeout is the silo's (ConsumerGroupSessionTimeout).
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Classic protocol: how often the member tells the group it is alive and learns of rebalances (heartbeat.interval.ms).
    /// The consumer protocol's interval is the silo's (ConsumerGroupHeartbeatInterval).
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a rebalance waits for every member to rejoin, or to revoke what moves (Kafka: max.poll.interval.ms).</summary>
    public TimeSpan RebalanceTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The assignor the group runs (<see cref="AssignorNames"/>). Consumer protocol (group.remote.assignor): uniform (the
    /// silo's default when unset) or range; the one most members name wins. Classic protocol: range, roundrobin, sticky,
    /// or cooperative-sticky (the default when unset), with which a rebalance revokes only the partitions that move and
    /// the others keep being read throughout; every member of a group must name the same one.
    /// </summary>
    public string? Assignor { get; set; }

    /// <summary>
    /// Commit in the background every <see cref="AutoCommitInterval"/>, before partitions are revoked and on
    /// dispose (enable.auto.commit). Commits cover the records the consumer has moved past, never the one in hand.
    /// </summary>
    public bool EnableAutoCommit { get; set; } = true;

    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// group.instance.id, for static membership: a member that restarts within the session timeout under the
    /// same id gets its partitions back without a rebalance. Static members don't leave the group on dispose.
    /// </summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>Shown in group descriptions (client.id); also the prefix of the member id.</summary>
    public string ClientId { get; set; } = "hub-client";

    /// <summary>Fetch settings of the partitions this member reads.</summary>
    public ConsumerOptions Fetch { get; set; } = new();

    /// <summary>
    /// Called after partitions were assigned to this member, before their records are read (Kafka's
    /// onPartitionsAssigned). With cooperative-sticky, only the newly added ones.
    /// </summary>
    public Func<IReadOnlyCollection<TopicPartition>, Task>? PartitionsAssigned { get; set; }

    /// <summary>
    /// Called when partitions are taken away, after their reading stopped and before auto-commit stores their
    /// positions; <see cref="HubGroupConsumer.CommitAsync(CancellationToken)"/> still covers them here. Also
    /// called when the membership was lost (the session expired), when commits are refused.
    /// </summary>
    public Func<IReadOnlyCollection<TopicPartition>, Task>? PartitionsRevoked { get; set; }

    internal bool IsCooperative => Assignor == AssignorNames.CooperativeSticky;

    /// <summary>A checked copy, so later changes by the caller don't reach a running consumer.</summary>
    internal GroupConsumerOptions Validated()
    {
        ArgumentException.ThrowIfNullOrEmpty(GroupId, nameof(GroupId));
        if (Topics is null || Topics.Count == 0 || Topics.Any(string.IsNullOrEmpty))
            throw new ArgumentException("give at least one topic, none empty", nameof(Topics));
        if (SessionTimeout <= TimeSpan.Zero || SessionTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(SessionTimeout), SessionTimeout, "must be positive");
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= SessionTimeout)
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, "must be positive and shorter than the session timeout");
        if (RebalanceTimeout <= TimeSpan.Zero || RebalanceTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(RebalanceTimeout), RebalanceTimeout, "must be positive");
        if (EnableAutoCommit && AutoCommitInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AutoCommitInterval), AutoCommitInterval, "must be positive");
        if (!Enum.IsDefined(Protocol)) throw new ArgumentOutOfRangeException(nameof(Protocol), Protocol, "unknown group protocol");
        var assignors = Protocol == GroupMembershipProtocol.Consumer ? AssignorNames.Server : AssignorNames.All;
        if (Assignor is not null && !assignors.Contains(Assignor))
            throw new ArgumentException($"unknown assignor '{Assignor}' for the {Protocol} protocol; use one of {string.Join(", ", assignors)}", nameof(Assignor));
        if (!Enum.IsDefined(AutoOffsetReset)) throw new ArgumentOutOfRangeException(nameof(AutoOffsetReset), AutoOffsetReset, "unknown reset policy");
        return new GroupConsumerOptions
        {
            GroupId = GroupId,
            Topics = Topics.Distinct(StringComparer.Ordinal).ToList(),
            AutoOffsetReset = AutoOffsetReset,
            SessionTimeout = SessionTimeout,
            HeartbeatInterval = HeartbeatInterval,
            RebalanceTimeout = RebalanceTimeout,
            Protocol = Protocol,
            Assignor = Protocol == GroupMembershipProtocol.Classic ? Assignor ?? AssignorNames.CooperativeSticky : Assignor,
            EnableAutoCommit = EnableAutoCommit,
            AutoCommitInterval = AutoCommitInterval,
            GroupInstanceId = string.IsNullOrEmpty(GroupInstanceId) ? null : GroupInstanceId,
            ClientId = ClientId ?? "",
            Fetch = (Fetch ?? new ConsumerOptions()).Validated(),
            PartitionsAssigned = PartitionsAssigned,
            PartitionsRevoked = PartitionsRevoked,
        };
    }
}
