using Hub.Silo.Configuration;
using System.Text;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Groups.Assignors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Hub.Silo.Groups;

/// <summary>
/// Kafka's group coordinator for one group (Kafka's GroupMetadata + GroupCoordinator, classic protocol):
/// <code>
///   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance ──leader's sync──▶ Stable
///                    ▲        │ (no members left: Empty)          │ (server-assigned groups skip this)      │
///                    └────────┴── join with new metadata, leave, session timeout, leader rejoins ◀───────┘
/// </code>
/// <para>
/// Reentrant, because JoinGroup and SyncGroup long-poll: a member waiting for the rebalance must not hold
/// back the heartbeats, joins and commits of the others. That is safe because every check and change of the
/// group happens synchronously: the only awaits are for topic metadata and the directory (before anything is
/// checked), for the member's rebalance to complete (after everything is changed), and for the durable write
/// (after the change is made). A waiting call is a TaskCompletionSource on its member, completed when the
/// phase ends. Deadlines (session timeouts, the rebalance timeout, the initial delay) are checked by a timer
/// that runs while the group has members.
/// </para>
/// <para>
/// Durable (<see cref="ConsumerGroupState"/>): committed offsets, the generation and when the group became
/// empty. Members live in memory only, so after a restart the group is empty and members rejoin.
/// </para>
/// </summary>
[Reentrant]
internal sealed class ConsumerGroupGrain : Grain, IInterBrokerGroupGrain
{
    /// <summary>
    /// Longest a JoinGroup or SyncGroup call waits before answering "still rebalancing, call again": below
    /// Orleans' default response timeout (30 s), so a waiting call never times out on the caller's side.
    /// </summary>
    public static readonly TimeSpan MaxCallWait = TimeSpan.FromSeconds(20);

    /// <summary>Resolution of session and rebalance deadlines.</summary>
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(100);

    private readonly IPersistentState<ConsumerGroupState> _state;
    private readonly HubSiloOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ConsumerGroupGrain> _logger;
    private readonly CoalescingStateWriter _writer;

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
    private bool _registered;
    private IGrainTimer? _timer;

    public ConsumerGroupGrain(
        [PersistentState("group", HubStorage.Name)] IPersistentState<ConsumerGroupState> state,
        IOptions<HubSiloOptions> options,
        TimeProvider time,
        ILogger<ConsumerGroupGrain> logger)
    {
        _state = state;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _writer = new CoalescingStateWriter(() => _state.WriteStateAsync());
    }

    private string GroupId => this.GetPrimaryKeyString();

    private ConsumerGroupState Stored => _state.State;

    private int Generation => Stored.Generation;

    private bool IsServerAssigned => _protocolType == GroupProtocolTypes.Hub;

    /// <summary>Has anything to show: members, offsets, or a past generation on disk.</summary>
    private bool Exists => _members.Count > 0 || _pendingMembers.Count > 0 || _state.RecordExists || Generation > 0 || Stored.OffsetCount > 0;

    private IInterBrokerGroupDirectoryGrain Directory => GrainFactory.GetGrain<IInterBrokerGroupDirectoryGrain>(0);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_state.RecordExists) return;
        // Members did not survive the last activation: the group is empty from now on.
        if (Stored.EmptySinceMs < 0) Stored.EmptySinceMs = NowMs;
        try
        {
            await EnsureRegisteredAsync();
            await ExpireAsync(removeWithoutOffsets: false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Group {Group}: housekeeping on activation failed", GroupId);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var error = new HubException(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}' is moving; retry");
        foreach (var member in _members.Values) member.Fail(error);
        return Task.CompletedTask;
    }

    // ───────────────────────────── JoinGroup ─────────────────────────────

    public async Task<JoinGroupResult> JoinGroup(JoinGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.GroupInstanceId is "") request = request with { GroupInstanceId = null };
        ValidateJoin(request);
        if (request.ProtocolType == GroupProtocolTypes.Hub)
            await RefreshPartitionCountsAsync(request.Protocols.SelectMany(p => ConsumerProtocol.DecodeSubscription(p.Metadata).Topics).Distinct());
        await EnsureRegisteredAsync();

        // From here to the wait, nothing awaits: the checks and the changes see one consistent group.
        ThrowIfDead();
        CheckProtocolCompatibility(request);
        return request.MemberId.Length == 0 ? await JoinAsNew(request) : await JoinAsKnown(request);
    }

    private async Task<JoinGroupResult> JoinAsNew(JoinGroupRequest request)
    {
        if (request.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var existing))
            return await RejoinStatic(request, _members[existing]);
        var memberId = NewMemberId(request.ClientId);
        if (request.RequireKnownMemberId && request.GroupInstanceId is null)
        {
            _pendingMembers[memberId] = _time.GetTimestamp() + Ticks(request.SessionTimeoutMs);
            EnsureTimer();
            return JoinGroupResult.Retry(ErrorCode.MemberIdRequired, memberId, Generation);
        }
        return await AddMember(request, memberId);
    }

    private async Task<JoinGroupResult> JoinAsKnown(JoinGroupRequest request)
    {
        if (_pendingMembers.Remove(request.MemberId)) return await AddMember(request, request.MemberId);
        var member = RequireMember(request.MemberId, request.GroupInstanceId);
        // A server-assigned group also reassigns when a subscribed topic gained partitions since the last assignment.
        var unchanged = member.Matches(request.Protocols) && !(IsServerAssigned && PartitionCountsChanged());
        member.Update(request);
        member.LastSeen = _time.GetTimestamp();
        switch (_phase)
        {
            case GroupState.PreparingRebalance:
                return await WaitForRebalance(member);
            case GroupState.CompletingRebalance when unchanged:
                return ResultFor(member); // a repeated JoinGroup of this generation (its first answer was lost or cut short)
            case GroupState.Stable when unchanged && (IsServerAssigned || member.MemberId != _leaderId):
                return ResultFor(member);
            default:
                StartRebalance(unchanged ? $"member {member.MemberId} rejoined" : $"member {member.MemberId} rejoined with new metadata");
                return await WaitForRebalance(member);
        }
    }

    private async Task<JoinGroupResult> AddMember(JoinGroupRequest request, string memberId)
    {
        var member = new GroupMember(memberId, request, _nextJoinOrder++, _time.GetTimestamp());
        _members.Add(memberId, member);
        if (member.GroupInstanceId is { } instance) _staticMembers[instance] = memberId;
        if (_phase == GroupState.PreparingRebalance) ExtendInitialDelay();
        else StartRebalance($"member {memberId} joined");
        return await WaitForRebalance(member);
    }

    /// <summary>
    /// A static member (known group.instance.id) restarted and joined without a member id: it gets a new id,
    /// the old one is fenced. If the group is stable and would keep its protocol (and, server-assigned, the
    /// member its topics), it takes over the old assignment without a rebalance, whatever else its metadata
    /// says (a restarted consumer owns nothing yet): the point of static membership, and Kafka's rule.
    /// Otherwise a rebalance starts.
    /// </summary>
    private async Task<JoinGroupResult> RejoinStatic(JoinGroupRequest request, GroupMember member)
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
        member.LastSeen = _time.GetTimestamp();
        var unchanged = SelectProtocol() == _protocolName && (!IsServerAssigned || topicsBefore.SequenceEqual(SubscribedTopics(member)));
        _logger.LogInformation("Group {Group}: static member {Instance} rejoined as {Member}, replacing {Old}", GroupId, member.GroupInstanceId, newId, oldId);
        if (_phase == GroupState.Stable && unchanged && (IsServerAssigned || newId != _leaderId)) return ResultFor(member);
        if (_phase != GroupState.PreparingRebalance) StartRebalance($"static member {member.GroupInstanceId} rejoined");
        return await WaitForRebalance(member);
    }

    /// <summary>Counts the member as joined for this round and waits (bounded) for the round to end.</summary>
    private async Task<JoinGroupResult> WaitForRebalance(GroupMember member)
    {
        member.Joined = true;
        member.LastSeen = _time.GetTimestamp();
        var waiter = member.WaitForJoin();
        TryCompleteJoin();
        if (await CompletesWithin(waiter, MaxCallWait)) return await waiter;
        // Still rebalancing: the member stays joined and calls again with its id (see IConsumerGroupGrain.JoinGroup).
        member.ForgetJoinWaiter(waiter);
        member.LastSeen = _time.GetTimestamp();
        return JoinGroupResult.Retry(ErrorCode.RebalanceInProgress, member.MemberId, Generation);
    }

    // ───────────────────────────── SyncGroup / Heartbeat / LeaveGroup ─────────────────────────────

    public async Task<SyncGroupResult> SyncGroup(SyncGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDead();
        var member = RequireMember(request.MemberId, request.GroupInstanceId);
        CheckGeneration(request.GenerationId);
        if ((request.ProtocolType is { } type && type != _protocolType) || (request.ProtocolName is { } name && name != _protocolName))
            throw new HubException(ErrorCode.InconsistentGroupProtocol,
                $"group '{GroupId}' uses protocol {_protocolType}/{_protocolName}, not {request.ProtocolType}/{request.ProtocolName}");
        member.LastSeen = _time.GetTimestamp();
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
                _logger.LogInformation("Group {Group}: generation {Generation} is stable with {Members} members", GroupId, Generation, _members.Count);
                return SyncResultFor(member);
            case GroupState.CompletingRebalance:
                member.Synced = true;
                var waiter = member.WaitForSync();
                if (await CompletesWithin(waiter, MaxCallWait)) return await waiter;
                member.ForgetSyncWaiter(waiter);
                member.LastSeen = _time.GetTimestamp();
                throw new HubException(ErrorCode.RebalanceInProgress, $"the leader of group '{GroupId}' has not sent the assignment yet; join again");
            default:
                throw UnknownMember(request.MemberId);
        }
    }

    public Task<ErrorCode> Heartbeat(int generationId, string memberId, string? groupInstanceId = null)
    {
        ThrowIfDead();
        var member = RequireMember(memberId ?? "", groupInstanceId is "" ? null : groupInstanceId);
        CheckGeneration(generationId);
        member.LastSeen = _time.GetTimestamp();
        return Task.FromResult(_phase == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None);
    }

    public Task<ErrorCode[]> LeaveGroup(LeaveGroupMember[] members, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(members);
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
            RemoveMember(member, new HubException(ErrorCode.UnknownMemberId, $"member {member.MemberId} left group '{GroupId}'"));
            _logger.LogInformation("Group {Group}: member {Member} left{Reason}", GroupId, member.MemberId, reason is null ? "" : $" ({reason})");
            removed++;
        }
        if (removed > 0) MembershipChanged($"{removed} member(s) left");
        else if (pendingLeft) TryCompleteJoin();
        return Task.FromResult(codes);
    }

    // ───────────────────────────── Offsets ─────────────────────────────

    public async Task CommitOffsets(OffsetCommitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var offsets = request.Offsets ?? [];
        foreach (var entry in offsets) ValidateOffset(entry);
        var counts = await RefreshPartitionCountsAsync(offsets.Select(o => o.Topic).Distinct(StringComparer.Ordinal));
        foreach (var entry in offsets)
        {
            if (counts[entry.Topic] is not { } count)
                throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{entry.Topic}' does not exist");
            if (entry.Partition >= count)
                throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{entry.Topic}' has no partition {entry.Partition} (it has {count})");
        }

        // From here to the write, nothing awaits.
        ThrowIfDead();
        CheckCommitter(request);
        if (offsets.Length == 0) return;
        var nowMs = NowMs;
        foreach (var entry in offsets)
            Stored.SetOffset(new TopicPartition(entry.Topic, entry.Partition), new StoredOffset(entry.Offset, entry.LeaderEpoch, entry.Metadata, nowMs));
        await PersistAsync();
        await EnsureRegisteredAsync();
    }

    public Task<CommittedOffset[]> FetchOffsets(TopicPartition[]? partitions = null)
    {
        var result = partitions is null
            ? Stored.AllOffsets().OrderBy(o => o.Partition).Select(o => Committed(o.Partition, o.Offset)).ToArray()
            : partitions.Select(p => Stored.GetOffset(p) is { } stored
                ? Committed(p, stored)
                : new CommittedOffset(p.Topic, p.Partition, CommittedOffset.None, -1, null, -1)).ToArray();
        return Task.FromResult(result);
    }

    // ───────────────────────────── Admin ─────────────────────────────

    public Task<GroupDescription> Describe()
    {
        var state = _phase == GroupState.Empty && !Exists ? GroupState.Dead : _phase;
        var members = _members.Values.OrderBy(m => m.JoinOrder)
            .Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.MetadataFor(_protocolName), m.Assignment))
            .ToArray();
        var protocolType = _members.Count > 0 ? _protocolType ?? "" : Stored.ProtocolType;
        return Task.FromResult(new GroupDescription(GroupId, state, protocolType, _members.Count > 0 ? _protocolName ?? "" : "",
            Generation, _members.Count > 0 ? _leaderId ?? "" : "", members));
    }

    public async Task DeleteGroup()
    {
        ThrowIfDead();
        if (_members.Count > 0 || _pendingMembers.Count > 0)
            throw new HubException(ErrorCode.NonEmptyGroup, $"group '{GroupId}' has {_members.Count + _pendingMembers.Count} active member(s); only an empty group can be deleted");
        if (!Exists) throw new HubException(ErrorCode.GroupIdNotFound, $"group '{GroupId}' does not exist");
        await RemoveGroupAsync("deleted");
    }

    public Task ExpireOffsets() => ExpireAsync(removeWithoutOffsets: true);

    /// <param name="removeWithoutOffsets">
    /// Remove an empty group that has no offsets (Kafka's cleanup does); not on activation, where that would
    /// only mean the members were lost with the last activation.
    /// </param>
    private async Task ExpireAsync(bool removeWithoutOffsets)
    {
        if (_phase != GroupState.Empty || _members.Count > 0 || _pendingMembers.Count > 0 || !Exists) return;
        var nowMs = NowMs;
        var retentionMs = (long)_options.OffsetsRetention.TotalMilliseconds;
        var emptySince = Math.Max(0, Stored.EmptySinceMs); // -1: never had members, the commit times alone count
        var expired = Stored.AllOffsets().Where(o => Math.Max(emptySince, o.Offset.CommitTimestampMs) + retentionMs <= nowMs).Select(o => o.Partition).ToList();
        if (expired.Count == 0 && Stored.OffsetCount > 0) return;
        foreach (var partition in expired) Stored.RemoveOffset(partition);
        if (Stored.OffsetCount == 0)
        {
            if (expired.Count == 0 && !removeWithoutOffsets) return;
            // Kafka's rule too: an empty group with no offsets is gone.
            await RemoveGroupAsync(expired.Count > 0 ? $"its {expired.Count} offset(s) expired" : "it is empty and has no offsets");
            return;
        }
        _logger.LogInformation("Group {Group}: {Count} committed offset(s) expired", GroupId, expired.Count);
        await PersistAsync();
    }

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
        var now = _time.GetTimestamp();
        var timeout = Ticks(_members.Count > 0 ? _members.Values.Max(m => m.RebalanceTimeoutMs) : 0);
        var delay = (long)(_options.GroupInitialRebalanceDelay.TotalSeconds * _time.TimestampFrequency);
        _initialDelay = fromEmpty && delay > 0;
        _initialDelayCap = now + timeout;
        _phaseDeadline = _initialDelay ? Math.Min(now + delay, _initialDelayCap) : now + timeout;
        EnsureTimer();
        _logger.LogInformation("Group {Group}: rebalance of generation {Generation}: {Reason}", GroupId, Generation, reason);
    }

    private void ExtendInitialDelay()
    {
        if (!_initialDelay) return;
        var delay = (long)(_options.GroupInitialRebalanceDelay.TotalSeconds * _time.TimestampFrequency);
        _phaseDeadline = Math.Min(_time.GetTimestamp() + delay, _initialDelayCap);
    }

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
                $"member {late.MemberId} did not rejoin group '{GroupId}' within the rebalance timeout"));
            _logger.LogInformation("Group {Group}: removed member {Member}: it did not rejoin in time", GroupId, late.MemberId);
        }
        _initialDelay = false;
        Stored.Generation++;
        if (_members.Count == 0)
        {
            _phase = GroupState.Empty;
            _protocolName = null;
            _leaderId = null;
            Stored.EmptySinceMs = NowMs;
            _logger.LogInformation("Group {Group}: generation {Generation} has no members; the group is empty", GroupId, Generation);
            PersistInBackground();
            return;
        }

        _protocolType = _members.Values.First().ProtocolType;
        _protocolName = SelectProtocol();
        if (_leaderId is null || !_members.ContainsKey(_leaderId)) _leaderId = _members.Values.MinBy(m => m.JoinOrder)!.MemberId;
        var now = _time.GetTimestamp();
        foreach (var member in _members.Values)
        {
            member.LastSeen = now;
            member.Assignment = [];
            member.Synced = false;
        }
        Stored.ProtocolType = _protocolType;
        Stored.EmptySinceMs = -1;
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
        _logger.LogInformation("Group {Group}: generation {Generation} with {Members} members, protocol {Protocol}, leader {Leader}",
            GroupId, Generation, _members.Count, _protocolName, _leaderId);
        foreach (var member in _members.Values) member.CompleteJoin(ResultFor(member));
        PersistInBackground();
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

    /// <summary>Session timeouts, pending-member expiry and phase deadlines.</summary>
    private Task Tick()
    {
        if (_phase == GroupState.Dead) return Task.CompletedTask;
        var now = _time.GetTimestamp();
        var pendingExpired = false;
        foreach (var (id, expiry) in _pendingMembers.ToList())
        {
            if (expiry > now) continue;
            _pendingMembers.Remove(id);
            pendingExpired = true;
        }
        var expired = _members.Values
            .Where(m => !m.IsWaiting && _time.GetElapsedTime(m.LastSeen, now) > TimeSpan.FromMilliseconds(m.SessionTimeoutMs)).ToList();
        foreach (var member in expired)
        {
            RemoveMember(member, new HubException(ErrorCode.UnknownMemberId,
                $"member {member.MemberId} sent no heartbeat to group '{GroupId}' for {member.SessionTimeoutMs} ms (session timeout) and was removed"));
            _logger.LogInformation("Group {Group}: member {Member} removed: session timed out", GroupId, member.MemberId);
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
                    $"member {member.MemberId} did not send SyncGroup to group '{GroupId}' within the rebalance timeout"));
            }
            MembershipChanged($"{laggards.Count} member(s) did not sync in time");
        }
        if (_phase == GroupState.Empty && _pendingMembers.Count == 0) StopTimer();
        return Task.CompletedTask;
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

    // ───────────────────────────── Checks ─────────────────────────────

    private void ThrowIfDead()
    {
        if (_phase == GroupState.Dead) throw new HubException(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}' is being deleted; retry");
    }

    private void ValidateJoin(JoinGroupRequest request)
    {
        var min = _options.GroupMinSessionTimeout.TotalMilliseconds;
        var max = _options.GroupMaxSessionTimeout.TotalMilliseconds;
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

    /// <summary>Kafka's rule: one protocol type per group, and some protocol every member supports.</summary>
    private void CheckProtocolCompatibility(JoinGroupRequest request)
    {
        var others = _members.Values.Where(m => m.MemberId != request.MemberId).ToList();
        if (others.Count == 0) return;
        var type = others[0].ProtocolType;
        if (request.ProtocolType != type)
            throw new HubException(ErrorCode.InconsistentGroupProtocol,
                $"group '{GroupId}' uses protocol type '{type}', not '{request.ProtocolType}'");
        if (!request.Protocols.Any(p => others.All(m => m.Protocols.Any(q => q.Name == p.Name))))
            throw new HubException(ErrorCode.InconsistentGroupProtocol,
                $"none of [{string.Join(", ", request.Protocols.Select(p => p.Name))}] is supported by every member of group '{GroupId}'");
    }

    private void ValidateOffset(OffsetCommitEntry entry)
    {
        if (entry is null) throw new HubException(ErrorCode.InvalidRequest, "an offset entry is missing");
        if (string.IsNullOrEmpty(entry.Topic)) throw new HubException(ErrorCode.UnknownTopicOrPartition, "an offset names no topic");
        if (entry.Partition < 0)
            throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{entry.Topic}' has no partition {entry.Partition}");
        if (entry.Offset < 0)
            throw new HubException(ErrorCode.InvalidRequest,
                $"offset {entry.Offset} for {entry.Topic}/{entry.Partition} is negative; commit the next offset to read (≥ 0)");
        if (entry.Metadata is { } metadata && Encoding.UTF8.GetByteCount(metadata) > _options.OffsetMetadataMaxBytes)
            throw new HubException(ErrorCode.OffsetMetadataTooLarge,
                $"offset metadata for {entry.Topic}/{entry.Partition} is longer than {_options.OffsetMetadataMaxBytes} bytes");
    }

    /// <summary>
    /// Kafka's OffsetCommit rules: generation -1 from outside the group only while it is empty; otherwise a
    /// current member, the current generation, and not while the leader's assignment is outstanding.
    /// </summary>
    private void CheckCommitter(OffsetCommitRequest request)
    {
        if (request.GenerationId < 0 && _members.Count == 0) return;
        if (request.GenerationId < 0 && string.IsNullOrEmpty(request.MemberId))
            throw new HubException(ErrorCode.UnknownMemberId,
                $"group '{GroupId}' has {_members.Count} active member(s): offsets can be committed without a generation only while it is empty");
        var member = RequireMember(request.MemberId ?? "", request.GroupInstanceId is "" ? null : request.GroupInstanceId);
        CheckGeneration(request.GenerationId);
        if (_phase == GroupState.CompletingRebalance) throw RebalanceInProgress();
        member.LastSeen = _time.GetTimestamp();
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
                $"generation {generationId} of group '{GroupId}' is over; the current generation is {Generation}; join again");
    }

    private HubException UnknownMember(string memberId) =>
        new(ErrorCode.UnknownMemberId, memberId.Length == 0
            ? $"no member id given for group '{GroupId}'; join first"
            : $"member '{memberId}' is not in group '{GroupId}' (it left, its session timed out, or the group restarted); join again");

    private HubException RebalanceInProgress() =>
        new(ErrorCode.RebalanceInProgress, $"group '{GroupId}' is rebalancing; join again");

    // ───────────────────────────── Plumbing ─────────────────────────────

    /// <summary>Partition counts of the topics (null: no such topic), from the controller; cached for assignment.</summary>
    private async Task<Dictionary<string, int?>> RefreshPartitionCountsAsync(IEnumerable<string> topics)
    {
        var controller = GrainFactory.GetGrain<IClusterControllerGrain>(0);
        var names = topics.ToList();
        var metadata = await Task.WhenAll(names.Select(controller.GetTopic));
        var counts = new Dictionary<string, int?>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            counts[names[i]] = metadata[i]?.PartitionCount;
            if (metadata[i] is { } topic) _partitionCounts[names[i]] = topic.PartitionCount;
            else _partitionCounts.Remove(names[i]);
        }
        return counts;
    }

    private async Task EnsureRegisteredAsync()
    {
        if (_registered) return;
        await Directory.Register(GroupId);
        _registered = true;
    }

    /// <summary>The durable write; a failed one deactivates the grain so memory is reloaded from what is stored.</summary>
    private async Task PersistAsync()
    {
        try
        {
            await _writer.WriteAsync();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Group {Group}: writing group state failed; reloading", GroupId);
            DeactivateOnIdle();
            throw new HubException(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}' could not store its state; retry");
        }
    }

    /// <summary>Stores a new generation without making anyone wait for the disk; a failure is logged and reloads the grain.</summary>
    private void PersistInBackground() => _ = PersistQuietlyAsync();

    private async Task PersistQuietlyAsync()
    {
        try
        {
            await PersistAsync();
        }
        catch (HubException)
        {
            // Logged by PersistAsync; the next activation starts from the stored state.
        }
    }

    private async Task RemoveGroupAsync(string reason)
    {
        _phase = GroupState.Dead;
        try
        {
            await _writer.DrainAsync();
            await _state.ClearStateAsync();
            await Directory.Unregister(GroupId);
            _registered = false;
            _logger.LogInformation("Group {Group} removed: {Reason}", GroupId, reason);
        }
        finally
        {
            _phase = GroupState.Empty;
        }
    }

    private void EnsureTimer() =>
        _timer ??= this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { Interleave = true });

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private async Task<bool> CompletesWithin(Task task, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource();
        var completed = await Task.WhenAny(task, Task.Delay(timeout, _time, cancel.Token));
        cancel.Cancel();
        return completed == task;
    }

    private static CommittedOffset Committed(TopicPartition partition, StoredOffset stored) =>
        new(partition.Topic, partition.Partition, stored.Offset, stored.LeaderEpoch, stored.Metadata, stored.CommitTimestampMs);

    private static string NewMemberId(string clientId) => $"{(string.IsNullOrEmpty(clientId) ? "member" : clientId)}-{Guid.NewGuid()}";

    private long Ticks(int milliseconds) => (long)(milliseconds * (_time.TimestampFrequency / 1000.0));

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
