using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Configuration;
using Hub.Silo.Groups.Assignors;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Groups;

/// <summary>
/// Kafka's group coordinator for one group (Kafka's GroupMetadata + GroupCoordinator, classic protocol), as a
/// plain state machine over a <see cref="TimeProvider"/>:
/// <code>
///   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance ──leader's sync──▶ Stable
///                    ▲        │ (no members left: Empty)          │ (server-assigned groups skip this)      │
///                    └────────┴── join with new metadata, leave, session timeout, leader rejoins ◀───────┘
///   Empty ──removal (delete, expiry)──▶ Dead ──▶ Empty
/// </code>
/// <para>
/// It owns the members, the generation, JoinGroup/SyncGroup/Heartbeat/LeaveGroup, the rebalance and session
/// deadlines, static membership and server-side assignment. Every check and change is synchronous; a
/// JoinGroup or SyncGroup that must wait for the phase to end is a TaskCompletionSource on its member,
/// completed (or failed) when the phase ends, and bounded by <see cref="MaxCallWait"/>. Deadlines are checked
/// by <see cref="Tick"/>, which the owner calls often (every <c>TickPeriod</c>) while <see cref="NeedsTicks"/>.
/// Not thread-safe: the owner (the grain) calls it one turn at a time.
/// </para>
/// <para>
/// The generation, the protocol type and when the group became empty live in the durable
/// <see cref="ConsumerGroupState"/>; a new generation is announced through <c>generationChanged</c> so the
/// owner stores it. Topic partition counts (for server-side assignment) are the owner's to read
/// (<see cref="PartitionCountsRead"/>) before a join.
/// </para>
/// </summary>
/// <param name="record">The group's durable state (read through a delegate: the owner may replace it when cleared).</param>
/// <param name="generationChanged">Called after a generation ends with the record changed, for the owner to store it.</param>
internal sealed partial class GroupCoordinator(
    string groupId, Func<ConsumerGroupState> record, HubSiloOptions options, TimeProvider time, ILogger logger, Action generationChanged)
{
    /// <summary>
    /// Longest a JoinGroup or SyncGroup call waits before answering "still rebalancing, call again": below
    /// Orleans' default response timeout (30 s), so a waiting call never times out on the caller's side.
    /// </summary>
    public static readonly TimeSpan MaxCallWait = TimeSpan.FromSeconds(20);

    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);

    /// <summary>group.instance.id → the member id currently holding it.</summary>
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);

    /// <summary>Ids handed out with MemberIdRequired, not yet joined with; value: expiry timestamp.</summary>
    private readonly Dictionary<string, long> _pendingMembers = new(StringComparer.Ordinal);

    /// <summary>Partition counts of subscribed topics, refreshed whenever a member of a server-assigned group joins.</summary>
    private readonly Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);

    /// <summary>The partition counts the current server-side assignment was made with.</summary>
    private Dictionary<string, int> _assignedPartitionCounts = new(StringComparer.Ordinal);

    private GroupState _phase = GroupState.Empty;
    private string? _protocolType;
    private string? _protocolName;
    private string? _leaderId;

    /// <summary>PreparingRebalance: when joining ends. CompletingRebalance: when the leader's SyncGroup is due.</summary>
    private long _phaseDeadline;

    /// <summary>The first rebalance of an empty group waits the initial delay (extended by each new member, up to the cap).</summary>
    private bool _initialDelay;
    private long _initialDelayCap;

    private long _nextJoinOrder;

    public GroupState Phase => _phase;

    public int Generation => Record.Generation;

    /// <summary>Members, and ids handed out with MemberIdRequired that may still join.</summary>
    public int ActiveMemberCount => _members.Count + _pendingMembers.Count;

    /// <summary>Deadlines are pending: the owner must call <see cref="Tick"/> until this turns false.</summary>
    public bool NeedsTicks => _phase is not (GroupState.Empty or GroupState.Dead) || _pendingMembers.Count > 0;

    private ConsumerGroupState Record => record();

    private bool IsServerAssigned => _protocolType == GroupProtocolTypes.Hub;

    // ───────────────────────────── JoinGroup ─────────────────────────────

    /// <summary>The checks a JoinGroup passes before anything else (the owner may then read topic metadata).</summary>
    public void ValidateJoin(JoinGroupRequest request)
    {
        var min = options.GroupMinSessionTimeout.TotalMilliseconds;
        var max = options.GroupMaxSessionTimeout.TotalMilliseconds;
        if (request.SessionTimeoutMs < min || request.SessionTimeoutMs > max)
            throw new HubException(ErrorCode.InvalidSessionTimeout,
                $"session timeout {request.SessionTimeoutMs} ms is outside the broker's allowed range [{min}, {max}] ms");
        if (string.IsNullOrEmpty(request.ProtocolType) || request.Protocols is not { Length: > 0 })
            throw new HubException(ErrorCode.InconsistentGroupProtocol, "JoinGroup needs a protocol type and at least one protocol");
        if (request.Protocols.Any(p => p is null || string.IsNullOrEmpty(p.Name) || p.Metadata is null))
            throw new HubException(ErrorCode.InconsistentGroupProtocol, "every protocol needs a name and metadata");
        if (request.ProtocolType != GroupProtocolTypes.Hub) return;
        foreach (var protocol in request.Protocols)
        {
            if (PartitionAssignors.Find(protocol.Name) is null)
                throw new HubException(ErrorCode.InconsistentGroupProtocol,
                    $"unknown assignor '{protocol.Name}'; Hub assigns with {string.Join(", ", PartitionAssignors.Names)}");
            var subscription = ConsumerProtocol.DecodeSubscription(protocol.Metadata);
            if (subscription.Topics.Count == 0)
                throw new HubException(ErrorCode.InconsistentGroupProtocol, "the subscription names no topic");
        }
    }

    /// <summary>
    /// Joins (or rejoins) the group and waits, bounded by <see cref="MaxCallWait"/>, until the rebalance ends.
    /// Call <see cref="ValidateJoin"/> first. Everything up to the wait happens before this returns its task.
    /// </summary>
    public Task<JoinGroupResult> JoinAsync(JoinGroupRequest request)
    {
        ThrowIfDead();
        CheckProtocolCompatibility(request);
        return request.MemberId.Length == 0 ? JoinAsNew(request) : JoinAsKnown(request);
    }

    private Task<JoinGroupResult> JoinAsNew(JoinGroupRequest request)
    {
        if (request.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var existing))
            return RejoinStatic(request, _members[existing]);
        var memberId = NewMemberId(request.ClientId);
        if (request.RequireKnownMemberId && request.GroupInstanceId is null)
        {
            _pendingMembers[memberId] = time.GetTimestamp() + Ticks(request.SessionTimeoutMs);
            return Task.FromResult(JoinGroupResult.Retry(ErrorCode.MemberIdRequired, memberId, Generation));
        }
        return AddMember(request, memberId);
    }

    private Task<JoinGroupResult> JoinAsKnown(JoinGroupRequest request)
    {
        if (_pendingMembers.Remove(request.MemberId)) return AddMember(request, request.MemberId);
        var member = RequireMember(request.MemberId, request.GroupInstanceId);
        // A server-assigned group also reassigns when a subscribed topic gained partitions since the last assignment.
        var unchanged = member.Matches(request.Protocols) && !(IsServerAssigned && PartitionCountsChanged());
        member.Update(request);
        member.LastSeen = time.GetTimestamp();
        switch (_phase)
        {
            case GroupState.PreparingRebalance:
                return WaitForRebalance(member);
            case GroupState.CompletingRebalance when unchanged:
                return Task.FromResult(ResultFor(member)); // a repeated JoinGroup of this generation (its first answer was lost or cut short)
            case GroupState.Stable when unchanged && (IsServerAssigned || member.MemberId != _leaderId):
                return Task.FromResult(ResultFor(member));
            default:
                StartRebalance(unchanged ? $"member {member.MemberId} rejoined" : $"member {member.MemberId} rejoined with new metadata");
                return WaitForRebalance(member);
        }
    }

    private Task<JoinGroupResult> AddMember(JoinGroupRequest request, string memberId)
    {
        var member = new GroupMember(memberId, request, _nextJoinOrder++, time.GetTimestamp());
        _members.Add(memberId, member);
        if (member.GroupInstanceId is { } instance) _staticMembers[instance] = memberId;
        if (_phase == GroupState.PreparingRebalance) ExtendInitialDelay();
        else StartRebalance($"member {memberId} joined");
        return WaitForRebalance(member);
    }

    /// <summary>
    /// A static member (known group.instance.id) restarted and joined without a member id: it gets a new id,
    /// the old one is fenced. If the group is stable and would keep its protocol (and, server-assigned, the
    /// member its topics), it takes over the old assignment without a rebalance, whatever else its metadata
    /// says (a restarted consumer owns nothing yet): the point of static membership, and Kafka's rule. The
    /// leader too: it gets the members' metadata with skip_assignment (KIP-814), and its SyncGroup, the group
    /// being stable, brings back the assignment in force. Otherwise a rebalance starts.
    /// </summary>
    private Task<JoinGroupResult> RejoinStatic(JoinGroupRequest request, GroupMember member)
    {
        var oldId = member.MemberId;
        var newId = NewMemberId(request.ClientId);
        member.Fail(new HubException(ErrorCode.FencedInstanceId,
            $"member {oldId} was replaced by a newer member with group.instance.id '{member.GroupInstanceId}'"));
        _members.Remove(oldId);
        member.MemberId = newId;
        _members[newId] = member;
        _staticMembers[member.GroupInstanceId!] = newId;
        if (_leaderId == oldId) _leaderId = newId;
        var topicsBefore = IsServerAssigned ? SubscribedTopics(member) : [];
        member.Update(request);
        member.LastSeen = time.GetTimestamp();
        var unchanged = SelectProtocol() == _protocolName && (!IsServerAssigned || topicsBefore.SequenceEqual(SubscribedTopics(member)));
        LogStaticMemberRejoined(groupId, member.GroupInstanceId, newId, oldId);
        if (_phase == GroupState.Stable && unchanged) return Task.FromResult(ResultFor(member) with { SkipAssignment = newId == _leaderId && !IsServerAssigned });
        if (_phase != GroupState.PreparingRebalance) StartRebalance($"static member {member.GroupInstanceId} rejoined");
        return WaitForRebalance(member);
    }

    /// <summary>Counts the member as joined for this round and waits (bounded) for the round to end.</summary>
    private async Task<JoinGroupResult> WaitForRebalance(GroupMember member)
    {
        member.Joined = true;
        member.LastSeen = time.GetTimestamp();
        var waiter = member.WaitForJoin();
        TryCompleteJoin();
        if (await CompletesWithin(waiter, MaxCallWait)) return await waiter;
        // Still rebalancing: the member stays joined and calls again with its id (see IConsumerGroupGrain.JoinGroup).
        member.ForgetJoinWaiter(waiter);
        member.LastSeen = time.GetTimestamp();
        return JoinGroupResult.Retry(ErrorCode.RebalanceInProgress, member.MemberId, Generation);
    }

    // ───────────────────────────── SyncGroup / Heartbeat / LeaveGroup ─────────────────────────────

    /// <summary>The leader hands over the assignment; followers wait (bounded by <see cref="MaxCallWait"/>) for theirs.</summary>
    public async Task<SyncGroupResult> SyncAsync(SyncGroupRequest request)
    {
        ThrowIfDead();
        var member = RequireMember(request.MemberId, request.GroupInstanceId);
        CheckGeneration(request.GenerationId);
        if ((request.ProtocolType is { } type && type != _protocolType) || (request.ProtocolName is { } name && name != _protocolName))
            throw new HubException(ErrorCode.InconsistentGroupProtocol,
                $"group '{groupId}' uses protocol {_protocolType}/{_protocolName}, not {request.ProtocolType}/{request.ProtocolName}");
        member.LastSeen = time.GetTimestamp();
        switch (_phase)
        {
            case GroupState.PreparingRebalance:
                throw RebalanceInProgress();
            case GroupState.Stable:
                return SyncResultFor(member);
            case GroupState.CompletingRebalance when member.MemberId == _leaderId:
                member.Synced = true;
                var given = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                foreach (var assignment in request.Assignments) given[assignment.MemberId] = assignment.Assignment;
                foreach (var each in _members.Values) each.Assignment = given.GetValueOrDefault(each.MemberId) ?? [];
                _phase = GroupState.Stable;
                foreach (var each in _members.Values) each.CompleteSync(SyncResultFor(each));
                LogStable(groupId, Generation, _members.Count);
                return SyncResultFor(member);
            case GroupState.CompletingRebalance:
                member.Synced = true;
                var waiter = member.WaitForSync();
                if (await CompletesWithin(waiter, MaxCallWait)) return await waiter;
                member.ForgetSyncWaiter(waiter);
                member.LastSeen = time.GetTimestamp();
                throw new HubException(ErrorCode.RebalanceInProgress, $"the leader of group '{groupId}' has not sent the assignment yet; join again");
            default:
                throw UnknownMember(request.MemberId);
        }
    }

    /// <summary>Keeps the member's session alive; RebalanceInProgress tells it to join again.</summary>
    public ErrorCode Heartbeat(int generationId, string memberId, string? groupInstanceId)
    {
        ThrowIfDead();
        var member = RequireMember(memberId ?? "", groupInstanceId is "" ? null : groupInstanceId);
        CheckGeneration(generationId);
        member.LastSeen = time.GetTimestamp();
        return _phase == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>Removes members by id or group.instance.id; one error code per member given.</summary>
    public ErrorCode[] Leave(LeaveGroupMember[] members, string? reason)
    {
        ThrowIfDead();
        var codes = new ErrorCode[members.Length];
        var removed = 0;
        var pendingLeft = false;
        for (var i = 0; i < members.Length; i++)
        {
            var leaving = members[i];
            var memberId = leaving.MemberId ?? "";
            if (memberId.Length > 0 && _pendingMembers.Remove(memberId))
            {
                pendingLeft = true;
                continue;
            }
            GroupMember? member;
            if (leaving.GroupInstanceId is { Length: > 0 } instance)
            {
                if (!_staticMembers.TryGetValue(instance, out var current))
                {
                    codes[i] = ErrorCode.UnknownMemberId;
                    continue;
                }
                if (memberId.Length > 0 && memberId != current)
                {
                    codes[i] = ErrorCode.FencedInstanceId;
                    continue;
                }
                member = _members[current];
            }
            else if (!_members.TryGetValue(memberId, out member))
            {
                codes[i] = ErrorCode.UnknownMemberId;
                continue;
            }
            RemoveMember(member, new HubException(ErrorCode.UnknownMemberId, $"member {member.MemberId} left group '{groupId}'"));
            LogMemberLeft(groupId, member.MemberId, reason is null ? "" : $" ({reason})");
            removed++;
        }
        if (removed > 0) MembershipChanged($"{removed} member(s) left");
        else if (pendingLeft) TryCompleteJoin();
        return codes;
    }

    // ───────────────────────────── Deadlines ─────────────────────────────

    /// <summary>Session timeouts, pending-member expiry and phase deadlines.</summary>
    public void Tick()
    {
        if (_phase == GroupState.Dead) return;
        var now = time.GetTimestamp();
        var pendingExpired = false;
        foreach (var (id, expiry) in _pendingMembers.ToList())
        {
            if (expiry > now) continue;
            _pendingMembers.Remove(id);
            pendingExpired = true;
        }
        var expired = _members.Values
            .Where(m => !m.IsWaiting && time.GetElapsedTime(m.LastSeen, now) > TimeSpan.FromMilliseconds(m.SessionTimeoutMs)).ToList();
        foreach (var member in expired)
        {
            RemoveMember(member, new HubException(ErrorCode.UnknownMemberId,
                $"member {member.MemberId} sent no heartbeat to group '{groupId}' for {member.SessionTimeoutMs} ms (session timeout) and was removed"));
            LogSessionTimedOut(groupId, member.MemberId);
        }
        if (expired.Count > 0) MembershipChanged($"{expired.Count} member(s) timed out");
        else if (pendingExpired) TryCompleteJoin();

        if (_phase == GroupState.PreparingRebalance && now >= _phaseDeadline)
        {
            CompleteJoin();
        }
        else if (_phase == GroupState.CompletingRebalance && now >= _phaseDeadline)
        {
            // The leader never sent the assignment (Kafka's pending-sync timeout): drop who didn't sync, start over.
            var laggards = _members.Values.Where(m => !m.Synced).ToList();
            foreach (var member in laggards)
            {
                RemoveMember(member, new HubException(ErrorCode.UnknownMemberId,
                    $"member {member.MemberId} did not send SyncGroup to group '{groupId}' within the rebalance timeout"));
            }
            MembershipChanged($"{laggards.Count} member(s) did not sync in time");
        }
    }

    // ───────────────────────────── Offsets, admin, lifecycle ─────────────────────────────

    /// <summary>
    /// Kafka's OffsetCommit rules: generation -1 from outside the group only while it is empty; otherwise a
    /// current member, the current generation, and not while the leader's assignment is outstanding.
    /// </summary>
    public void CheckCommitter(OffsetCommitRequest request)
    {
        ThrowIfDead();
        if (request.GenerationId < 0 && _members.Count == 0) return;
        if (request.GenerationId < 0 && string.IsNullOrEmpty(request.MemberId))
            throw new HubException(ErrorCode.UnknownMemberId,
                $"group '{groupId}' has {_members.Count} active member(s): offsets can be committed without a generation only while it is empty");
        var member = RequireMember(request.MemberId ?? "", request.GroupInstanceId is "" ? null : request.GroupInstanceId);
        CheckGeneration(request.GenerationId);
        if (_phase == GroupState.CompletingRebalance) throw RebalanceInProgress();
        member.LastSeen = time.GetTimestamp();
    }

    /// <summary>Partition counts of topics as just read (null: no such topic), for server-side assignment.</summary>
    public void PartitionCountsRead(IReadOnlyDictionary<string, int?> counts)
    {
        foreach (var (topic, count) in counts)
        {
            if (count is { } known) _partitionCounts[topic] = known;
            else _partitionCounts.Remove(topic);
        }
    }

    /// <param name="exists">Whether the group has anything to show besides members (stored state, offsets, a past generation).</param>
    public GroupDescription Describe(bool exists)
    {
        var state = _phase == GroupState.Empty && !exists && ActiveMemberCount == 0 ? GroupState.Dead : _phase;
        var members = _members.Values.OrderBy(m => m.JoinOrder)
            .Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.MetadataFor(_protocolName), m.Assignment))
            .ToArray();
        var protocolType = _members.Count > 0 ? _protocolType ?? "" : Record.ProtocolType;
        return new GroupDescription(groupId, state, protocolType, _members.Count > 0 ? _protocolName ?? "" : "",
            Generation, _members.Count > 0 ? _leaderId ?? "" : "", members) { GroupType = Record.GroupType };
    }

    /// <summary>
    /// Whether Kafka's OffsetDelete may remove the committed offset of a partition of <paramref name="topic"/>: not while
    /// a member subscribes to the topic, nor, to be safe as Kafka is, while the members' subscriptions are not known
    /// yet (no protocol chosen) or don't decode. Members of another protocol type than Kafka's consumer protocol (or
    /// Hub's, which encodes subscriptions the same way): NonEmptyGroup, as Kafka answers.
    /// </summary>
    public bool MayDeleteOffsetsOf(string topic)
    {
        if (_members.Count == 0) return true;
        if (_protocolType is null || _protocolName is null) return false;
        if (_protocolType is not (GroupProtocolTypes.Consumer or GroupProtocolTypes.Hub))
            throw new HubException(ErrorCode.NonEmptyGroup, $"group '{groupId}' has members of protocol type '{_protocolType}', whose subscriptions are unknown");
        try
        {
            return !_members.Values.Any(m => SubscribedTopics(m).Contains(topic, StringComparer.Ordinal));
        }
        catch (HubException)
        {
            return false;
        }
    }

    public void ThrowIfDead()
    {
        if (_phase == GroupState.Dead) throw new HubException(ErrorCode.CoordinatorNotAvailable, $"group '{groupId}' is being deleted; retry");
    }

    /// <summary>The empty group is being removed (deleted or expired): calls are refused until <see cref="EndRemoval"/>.</summary>
    public void BeginRemoval()
    {
        if (_phase != GroupState.Empty || ActiveMemberCount > 0)
            throw new InvalidOperationException($"group '{groupId}' is {_phase} with {ActiveMemberCount} member(s); only an empty group is removed");
        _phase = GroupState.Dead;
    }

    public void EndRemoval() => _phase = GroupState.Empty;

    /// <summary>Ends every waiting call with <paramref name="error"/> (the owner is going away).</summary>
    public void FailWaitingCalls(HubException error)
    {
        foreach (var member in _members.Values) member.Fail(error);
    }

    // ───────────────────────────── Checks ─────────────────────────────

    /// <summary>Kafka's rule: one protocol type per group, and some protocol every member supports.</summary>
    private void CheckProtocolCompatibility(JoinGroupRequest request)
    {
        var others = _members.Values.Where(m => m.MemberId != request.MemberId).ToList();
        if (others.Count == 0) return;
        var type = others[0].ProtocolType;
        if (request.ProtocolType != type)
            throw new HubException(ErrorCode.InconsistentGroupProtocol,
                $"group '{groupId}' uses protocol type '{type}', not '{request.ProtocolType}'");
        if (!request.Protocols.Any(p => others.All(m => m.Protocols.Any(q => q.Name == p.Name))))
            throw new HubException(ErrorCode.InconsistentGroupProtocol,
                $"none of [{string.Join(", ", request.Protocols.Select(p => p.Name))}] is supported by every member of group '{groupId}'");
    }

    private GroupMember RequireMember(string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
            throw new HubException(ErrorCode.FencedInstanceId,
                $"member {memberId} with group.instance.id '{groupInstanceId}' was replaced by member {current}");
        if (!_members.TryGetValue(memberId, out var member)) throw UnknownMember(memberId);
        if (groupInstanceId is not null && member.GroupInstanceId != groupInstanceId)
            throw new HubException(ErrorCode.FencedInstanceId, $"member {memberId} does not have group.instance.id '{groupInstanceId}'");
        return member;
    }

    private void CheckGeneration(int generationId)
    {
        if (generationId != Generation)
            throw new HubException(ErrorCode.IllegalGeneration,
                $"generation {generationId} of group '{groupId}' is over; the current generation is {Generation}; join again");
    }

    private HubException UnknownMember(string memberId) =>
        new(ErrorCode.UnknownMemberId, memberId.Length == 0
            ? $"no member id given for group '{groupId}'; join first"
            : $"member '{memberId}' is not in group '{groupId}' (it left, its session timed out, or the group restarted); join again");

    private HubException RebalanceInProgress() =>
        new(ErrorCode.RebalanceInProgress, $"group '{groupId}' is rebalancing; join again");

    // ───────────────────────────── Rebalance machinery ─────────────────────────────

    /// <summary>Enters PreparingRebalance: every member must join again; a pending SyncGroup learns the rebalance.</summary>
    private void StartRebalance(string reason)
    {
        var fromEmpty = _phase == GroupState.Empty;
        if (_phase == GroupState.CompletingRebalance)
        {
            foreach (var member in _members.Values) member.FailSync(RebalanceInProgress());
        }
        _phase = GroupState.PreparingRebalance;
        foreach (var member in _members.Values)
        {
            member.Joined = false;
            member.Synced = false;
        }
        var now = time.GetTimestamp();
        var timeout = Ticks(_members.Count > 0 ? _members.Values.Max(m => m.RebalanceTimeoutMs) : 0);
        var delay = InitialDelayTicks;
        _initialDelay = fromEmpty && delay > 0;
        _initialDelayCap = now + timeout;
        _phaseDeadline = _initialDelay ? Math.Min(now + delay, _initialDelayCap) : now + timeout;
        LogRebalance(groupId, Generation, reason);
    }

    private void ExtendInitialDelay()
    {
        if (!_initialDelay) return;
        _phaseDeadline = Math.Min(time.GetTimestamp() + InitialDelayTicks, _initialDelayCap);
    }

    private long InitialDelayTicks => (long)(options.GroupInitialRebalanceDelay.TotalSeconds * time.TimestampFrequency);

    /// <summary>Ends the join phase once everyone has joined (never early during the initial delay).</summary>
    private void TryCompleteJoin()
    {
        if (_phase != GroupState.PreparingRebalance) return;
        if (_members.Count == 0 && _pendingMembers.Count == 0) CompleteJoin();
        else if (!_initialDelay && _pendingMembers.Count == 0 && _members.Values.All(m => m.Joined)) CompleteJoin();
    }

    /// <summary>
    /// Ends the join phase: members that did not rejoin are removed, the generation advances, a protocol and a
    /// leader are chosen, and every waiting JoinGroup gets its answer.
    /// </summary>
    private void CompleteJoin()
    {
        foreach (var late in _members.Values.Where(m => !m.Joined).ToList())
        {
            RemoveMember(late, new HubException(ErrorCode.UnknownMemberId,
                $"member {late.MemberId} did not rejoin group '{groupId}' within the rebalance timeout"));
            LogDidNotRejoin(groupId, late.MemberId);
        }
        _initialDelay = false;
        Record.Generation++;
        if (_members.Count == 0)
        {
            _phase = GroupState.Empty;
            _protocolName = null;
            _leaderId = null;
            Record.EmptySinceMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            LogEmpty(groupId, Generation);
            generationChanged();
            return;
        }

        _protocolType = _members.Values.First().ProtocolType;
        _protocolName = SelectProtocol();
        if (_leaderId is null || !_members.ContainsKey(_leaderId)) _leaderId = _members.Values.MinBy(m => m.JoinOrder)!.MemberId;
        var now = time.GetTimestamp();
        foreach (var member in _members.Values)
        {
            member.LastSeen = now;
            member.Assignment = [];
            member.Synced = false;
        }
        Record.ProtocolType = _protocolType;
        Record.GroupType = GroupTypes.Classic;
        Record.EmptySinceMs = -1;
        if (IsServerAssigned)
        {
            AssignOnServer();
            _phase = GroupState.Stable;
        }
        else
        {
            _phase = GroupState.CompletingRebalance;
            _phaseDeadline = now + Ticks(_members.Values.Max(m => m.RebalanceTimeoutMs));
        }
        LogGeneration(groupId, Generation, _members.Count, _protocolName, _leaderId);
        foreach (var member in _members.Values) member.CompleteJoin(ResultFor(member));
        generationChanged();
    }

    /// <summary>Kafka's vote: each member picks its most preferred protocol that every member supports; most votes wins.</summary>
    private string SelectProtocol()
    {
        var ordered = _members.Values.OrderBy(m => m.JoinOrder).ToList();
        var candidates = ordered[0].Protocols.Select(p => p.Name)
            .Where(name => ordered.All(m => m.Protocols.Any(p => p.Name == name))).ToList();
        if (candidates.Count == 0) return ordered[0].Protocols[0].Name; // can't happen: every join is checked against the others
        var votes = ordered.Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .GroupBy(name => name).ToDictionary(g => g.Key, g => g.Count());
        return candidates.OrderByDescending(name => votes.GetValueOrDefault(name)).First();
    }

    /// <summary>Server-side assignment for <see cref="GroupProtocolTypes.Hub"/> groups: the chosen assignor over the members' subscriptions.</summary>
    private void AssignOnServer()
    {
        var assignor = PartitionAssignors.Find(_protocolName!)!;
        var members = _members.Values.OrderBy(m => m.JoinOrder).Select(m =>
        {
            var subscription = ConsumerProtocol.DecodeSubscription(m.MetadataFor(_protocolName));
            return new AssignorMember(m.MemberId, m.GroupInstanceId, subscription.Topics, subscription.OwnedPartitions, subscription.GenerationId);
        }).ToList();
        _assignedPartitionCounts = SubscribedPartitionCounts();
        var assignment = assignor.Assign(_assignedPartitionCounts, members);
        foreach (var member in _members.Values) member.Assignment = ConsumerProtocol.EncodeAssignment(assignment[member.MemberId]);
    }

    private string[] SubscribedTopics(GroupMember member) =>
        ConsumerProtocol.DecodeSubscription(member.MetadataFor(_protocolName)).Topics.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Partition counts of the topics the members subscribe to, as last read from the controller.</summary>
    private Dictionary<string, int> SubscribedPartitionCounts() =>
        _members.Values.SelectMany(m => ConsumerProtocol.DecodeSubscription(m.MetadataFor(_protocolName)).Topics)
            .Distinct(StringComparer.Ordinal).Where(_partitionCounts.ContainsKey)
            .ToDictionary(t => t, t => _partitionCounts[t], StringComparer.Ordinal);

    private bool PartitionCountsChanged()
    {
        var now = SubscribedPartitionCounts();
        return now.Count != _assignedPartitionCounts.Count
            || now.Any(t => _assignedPartitionCounts.GetValueOrDefault(t.Key) != t.Value);
    }

    /// <summary>After members were removed: a stable group rebalances; a rebalancing one may now be complete.</summary>
    private void MembershipChanged(string reason)
    {
        if (_phase is GroupState.Stable or GroupState.CompletingRebalance) StartRebalance(reason);
        TryCompleteJoin();
    }

    private void RemoveMember(GroupMember member, HubException error)
    {
        _members.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instance && _staticMembers.GetValueOrDefault(instance) == member.MemberId) _staticMembers.Remove(instance);
        member.Fail(error);
    }

    private JoinGroupResult ResultFor(GroupMember member)
    {
        var members = member.MemberId == _leaderId
            ? _members.Values.OrderBy(m => m.JoinOrder).Select(m => new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(_protocolName))).ToArray()
            : [];
        return new JoinGroupResult(ErrorCode.None, Generation, _protocolType, _protocolName, _leaderId ?? "", member.MemberId, members,
            IsServerAssigned ? member.Assignment : null);
    }

    private SyncGroupResult SyncResultFor(GroupMember member) => new(_protocolType, _protocolName, member.Assignment);

    private async Task<bool> CompletesWithin(Task task, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource();
        var completed = await Task.WhenAny(task, Task.Delay(timeout, time, cancel.Token));
        cancel.Cancel();
        return completed == task;
    }

    private static string NewMemberId(string clientId) => $"{(string.IsNullOrEmpty(clientId) ? "member" : clientId)}-{Guid.NewGuid()}";

    private long Ticks(int milliseconds) => (long)(milliseconds * (time.TimestampFrequency / 1000.0));

    // ───────────────────────────── Log ─────────────────────────────

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: static member {Instance} rejoined as {Member}, replacing {Old}")]
    private partial void LogStaticMemberRejoined(string group, string? instance, string member, string old);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: generation {Generation} is stable with {Members} members")]
    private partial void LogStable(string group, int generation, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} left{Reason}")]
    private partial void LogMemberLeft(string group, string member, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} removed: session timed out")]
    private partial void LogSessionTimedOut(string group, string member);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: rebalance of generation {Generation}: {Reason}")]
    private partial void LogRebalance(string group, int generation, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: removed member {Member}: it did not rejoin in time")]
    private partial void LogDidNotRejoin(string group, string member);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: generation {Generation} has no members; the group is empty")]
    private partial void LogEmpty(string group, int generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: generation {Generation} with {Members} members, protocol {Protocol}, leader {Leader}")]
    private partial void LogGeneration(string group, int generation, int members, string? protocol, string? leader);
}
