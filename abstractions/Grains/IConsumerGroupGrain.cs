using Hub.Groups;
using Orleans.Concurrency;

namespace Hub.Grains;

/// <summary>
/// One consumer group (key = group id), Kafka's group coordinator for that group: members, generations,
/// the rebalance protocol and the group's committed offsets. The Kafka listener maps JoinGroup, SyncGroup,
/// Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups and DeleteGroups onto these calls one to
/// one; ListGroups goes through <see cref="IGroupDirectoryGrain"/>. Orleans refuses an empty grain key, so a
/// caller answers an empty group id with InvalidGroupId itself.
/// <para>
/// Refusals are thrown as <see cref="Errors.HubException"/> carrying the Kafka error code the response
/// should hold (UnknownMemberId, IllegalGeneration, FencedInstanceId, InconsistentGroupProtocol,
/// RebalanceInProgress, InvalidSessionTimeout, CoordinatorNotAvailable, ...). Answers that are
/// part of the normal flow come back as values: JoinGroup's MemberIdRequired, Heartbeat's RebalanceInProgress.
/// </para>
/// <para>
/// Committed offsets are durable; members are not: after the grain is reactivated (a silo restart) the group
/// is empty and its members get UnknownMemberId and join again, as Kafka's members do after a coordinator
/// failover.
/// </para>
/// </summary>
public interface IConsumerGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Joins the group, or rejoins it for a rebalance, and waits until the rebalance completes: every known
    /// member has rejoined, or the rebalance timeout has passed (members that did not rejoin are removed).
    /// The leader's result lists every member's metadata for the chosen protocol; for
    /// <see cref="GroupProtocolTypes.Hub"/> groups every result carries the member's assignment.
    /// A wait outlasting about 20 s (under Orleans' response timeout) returns RebalanceInProgress with the
    /// member id: the member stays joined and calls again with that id to keep waiting.
    /// </summary>
    Task<JoinGroupResult> JoinGroup(JoinGroupRequest request);

    /// <summary>
    /// Kafka's ConsumerGroupHeartbeat (KIP-848): joins (epoch 0), heartbeats, or leaves (-1; -2 for a static member
    /// coming back) a group of the consumer protocol, where the group assigns partitions and each member converges on
    /// its share one heartbeat at a time. Throws UnknownMemberId, FencedMemberEpoch (rejoin with epoch 0),
    /// UnreleasedInstanceId, UnsupportedAssignor, InvalidRegularExpression, InvalidRequest; GroupIdNotFound while the
    /// group has classic members.
    /// </summary>
    Task<ConsumerGroupHeartbeatResult> ConsumerGroupHeartbeat(ConsumerGroupHeartbeatRequest request);

    /// <summary>Kafka's ConsumerGroupDescribe: the consumer-protocol view (epochs, assignor, targets); Empty when it has no such members.</summary>
    [AlwaysInterleave]
    Task<ConsumerGroupDescription> DescribeConsumerGroup();

    /// <summary>
    /// The leader hands over the generation's assignment; every member (leader included) gets its own.
    /// Followers wait for the leader. Throws RebalanceInProgress when a new rebalance started meanwhile.
    /// </summary>
    Task<SyncGroupResult> SyncGroup(SyncGroupRequest request);

    /// <summary>
    /// Keeps the member's session alive. Returns <see cref="ErrorCode.None"/>, or
    /// <see cref="ErrorCode.RebalanceInProgress"/> when the member must send JoinGroup again; throws
    /// UnknownMemberId (evicted or never joined), IllegalGeneration (a stale generation) or FencedInstanceId.
    /// </summary>
    Task<ErrorCode> Heartbeat(int generationId, string memberId, string? groupInstanceId = null);

    /// <summary>Removes members (and starts a rebalance if any was removed); one error code per member given.</summary>
    Task<ErrorCode[]> LeaveGroup(LeaveGroupMember[] members, string? reason = null);

    /// <summary>
    /// Stores offsets, all or none: every partition must exist, offsets be ≥ 0 and metadata at most
    /// <c>OffsetMetadataMaxBytes</c>, and the committer must be a member of the current generation (or send
    /// generation -1 while the group is empty). The commit is durable when the call returns.
    /// </summary>
    Task CommitOffsets(OffsetCommitRequest request);

    /// <summary>
    /// Committed offsets of the given partitions (offset -1 where there is none), or of every partition with
    /// one when <paramref name="partitions"/> is null.
    /// </summary>
    [AlwaysInterleave]
    Task<CommittedOffset[]> FetchOffsets(TopicPartition[]? partitions = null);

    [AlwaysInterleave]
    Task<GroupDescription> Describe();

    /// <summary>Deletes the group and its offsets. Throws NonEmptyGroup while it has members, GroupIdNotFound when there is none.</summary>
    Task DeleteGroup();

    /// <summary>
    /// Deletes the committed offsets of <paramref name="partitions"/> (Kafka's OffsetDelete), one error per partition:
    /// GroupSubscribedToTopic where a member subscribes to its topic, None otherwise (whether an offset was there or
    /// not). Throws GroupIdNotFound when there is no group, NonEmptyGroup when members speak a protocol whose
    /// subscriptions the group can't read.
    /// </summary>
    Task<ErrorCode[]> DeleteOffsets(TopicPartition[] partitions);
}
