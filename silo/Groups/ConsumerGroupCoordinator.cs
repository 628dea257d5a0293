using System.Text.RegularExpressions;
using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Configuration;
using Hub.Silo.Groups.Assignors;
using Hub.Topics;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Groups;

/// <summary>
/// Kafka's consumer group protocol (KIP-848) for one group, as a plain state machine over a <see cref="TimeProvider"/>;
/// <see cref="GroupCoordinator"/> is the classic protocol's. There is no rebalance barrier: members heartbeat, and
/// <list type="number">
/// <item>any change of membership, subscriptions or the subscribed topics' partitions bumps the <b>group epoch</b>
/// (durable: <see cref="ConsumerGroupState.Generation"/>, shared with the classic generations) and the server-side
/// assignor computes the <b>target assignment</b> for that epoch;</item>
/// <item>each member converges on its target on its own heartbeats: first it is told to revoke the partitions it must
/// give up (keeping its epoch), then, once it reports them gone, it moves to the target epoch with the target
/// partitions nobody else still holds; the rest follow on later heartbeats as their holders release them. So a
/// partition never has two owners, and partitions that don't move are never revoked.</item>
/// </list>
/// Fencing: a heartbeat with an epoch other than the member's (or, when the member's last answer was lost, its
/// previous one) gets FENCED_MEMBER_EPOCH; the member rejoins with epoch 0. Members that stop heartbeating for the
/// session timeout, or don't revoke within their rebalance timeout, are removed. Static members (group.instance.id)
/// leaving with epoch -2 keep their partitions until the session timeout, and a restarted instance takes them over.
/// <para>Not thread-safe: the owner (the grain) calls it one turn at a time, after reading topic metadata
/// (<see cref="TopicsRead"/>).</para>
/// </summary>
internal sealed partial class ConsumerGroupCoordinator(
    string groupId, Func<ConsumerGroupState> record, HubSiloOptions options, TimeProvider time, ILogger logger, Action epochChanged)
{
    /// <summary>The assignor used when members name none: Kafka's default (group.consumer.assignors starts with it).</summary>
    public const string DefaultAssignor = AssignorNames.Uniform;

    /// <summary>
    /// How old the group's view of its subscribed topics may be before a heartbeat reads them again: new partitions and
    /// topics matching a regex reach the assignment within this (plus a heartbeat interval), at one controller read per
    /// group per interval however many members heartbeat.
    /// </summary>
    public static readonly TimeSpan TopicMetadataMaxAge = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, ConsumerGroupMember> _members = new(StringComparer.Ordinal);

    /// <summary>group.instance.id → the member id holding it.</summary>
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);

    /// <summary>Each partition's holder: the member that has it assigned or must still revoke it.</summary>
    private readonly Dictionary<TopicPartition, string> _holders = [];

    /// <summary>Member id → its partitions in the target assignment of <see cref="_targetEpoch"/>.</summary>
    private Dictionary<string, HashSet<TopicPartition>> _target = new(StringComparer.Ordinal);

    private int _targetEpoch;

    /// <summary>Topics as last read: name → (id, partition count).</summary>
    private Dictionary<string, (Guid Id, int Partitions)> _topics = new(StringComparer.Ordinal);

    private long? _topicsReadAt;

    /// <summary>The subscribed topics (id, partition count) the target assignment was computed from.</summary>
    private Dictionary<string, (Guid Id, int Partitions)> _targetTopics = new(StringComparer.Ordinal);

    private string _assignor = DefaultAssignor;

    private readonly Dictionary<string, Regex> _regexes = new(StringComparer.Ordinal);

    /// <summary>
    /// Each member regex's matching topics, as of the last topic read. A regex new to the group is resolved on the read
    /// before the member's next heartbeat, not on the heartbeat that brings it: Kafka resolves regexes in the
    /// background, so its first answer carries only the literal topics, and clients' tests expect that order.
    /// </summary>
    private readonly Dictionary<string, string[]> _regexMatches = new(StringComparer.Ordinal);

    public int MemberCount => _members.Count;

    public bool NeedsTicks => _members.Count > 0;

    private int GroupEpoch => record().Generation;

    private int HeartbeatIntervalMs => (int)options.ConsumerGroupHeartbeatInterval.TotalMilliseconds;

    // ───────────────────────────── Topic metadata ─────────────────────────────

    /// <summary>
    /// Whether the owner must read topics before <see cref="Heartbeat"/>, and which: every topic when a member (or this
    /// request) subscribes by regex, else the named ones. Null: what the group knows is fresh enough.
    /// </summary>
    public TopicsToRead? TopicsNeededFor(ConsumerGroupHeartbeatRequest request)
    {
        var regex = request.SubscribedTopicRegex is { Length: > 0 } || _members.Values.Any(m => m.SubscribedTopicRegex is not null);
        var names = _members.Values.SelectMany(m => m.SubscribedTopicNames).Concat(request.SubscribedTopicNames ?? [])
            .ToHashSet(StringComparer.Ordinal);
        var stale = _topicsReadAt is not { } readAt || time.GetElapsedTime(readAt) >= TopicMetadataMaxAge;
        var unresolved = _members.Values.Any(m => m.SubscribedTopicRegex is { } pattern && !_regexMatches.ContainsKey(pattern));
        if (!stale && !unresolved && names.All(_topics.ContainsKey)) return null;
        return new TopicsToRead(regex, names.Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Topics as just read: every topic (<paramref name="all"/>), or the named ones (absent: no such topic).</summary>
    public void TopicsRead(IReadOnlyCollection<TopicMetadata> topics, bool all, IReadOnlyCollection<string> named)
    {
        if (all) _topics = new Dictionary<string, (Guid, int)>(StringComparer.Ordinal);
        foreach (var name in named) _topics.Remove(name);
        foreach (var topic in topics) _topics[topic.Name] = (topic.TopicId, topic.PartitionCount);
        _topicsReadAt = time.GetTimestamp();
        if (!all) return;
        _regexMatches.Clear();
        foreach (var pattern in _members.Values.Select(m => m.SubscribedTopicRegex).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var regex = RegexFor(pattern);
            _regexMatches[pattern] = _topics.Keys.Where(t => regex.IsMatch(t)).ToArray();
        }
    }

    // ───────────────────────────── Heartbeat ─────────────────────────────

    /// <summary>Joins, heartbeats or leaves (by <see cref="ConsumerGroupHeartbeatRequest.MemberEpoch"/>); refusals are thrown as <see cref="HubException"/>.</summary>
    public ConsumerGroupHeartbeatResult Heartbeat(ConsumerGroupHeartbeatRequest request)
    {
        Validate(request);
        switch (request.MemberEpoch)
        {
            case ConsumerGroupHeartbeatRequest.LeaveEpoch:
                return Leave(request);
            case ConsumerGroupHeartbeatRequest.StaticLeaveEpoch:
                return LeaveForAWhile(request);
        }

        var now = time.GetTimestamp();
        var owned = OwnedPartitions(request.OwnedPartitions);
        var (member, joined) = request.MemberEpoch == ConsumerGroupHeartbeatRequest.JoinEpoch ? Join(request, now) : (Existing(request, owned), false);
        var epochBefore = member.MemberEpoch;
        var assignedBefore = member.Assigned.ToHashSet();
        var subscriptionChanged = Update(member, request);
        member.LastSeen = now;
        if (joined || subscriptionChanged || SubscribedTopicsChanged())
            BumpGroupEpoch(joined ? $"member {member.MemberId} joined" : subscriptionChanged ? $"member {member.MemberId} changed its subscription" : "subscribed topics changed");
        Reconcile(member, owned, now);

        var full = request.MemberEpoch == ConsumerGroupHeartbeatRequest.JoinEpoch
            || (request.RebalanceTimeoutMs != -1 && (request.SubscribedTopicNames is not null || request.SubscribedTopicRegex is not null) && request.OwnedPartitions is not null);
        var changed = member.MemberEpoch != epochBefore || !member.Assigned.SetEquals(assignedBefore);
        return new ConsumerGroupHeartbeatResult(member.MemberId, member.MemberEpoch, HeartbeatIntervalMs, full || changed ? WithIds(member.Assigned) : null);
    }

    private void Validate(ConsumerGroupHeartbeatRequest request)
    {
        if (request.InstanceId is "") throw Invalid("InstanceId can't be empty");
        if (request.RackId is "") throw Invalid("RackId can't be empty");
        if (request.MemberEpoch < ConsumerGroupHeartbeatRequest.StaticLeaveEpoch) throw Invalid($"MemberEpoch {request.MemberEpoch} is not a member epoch");
        if (request.MemberEpoch == ConsumerGroupHeartbeatRequest.StaticLeaveEpoch && request.InstanceId is null)
            throw Invalid("MemberEpoch -2 (a static member leaving for a while) needs the InstanceId");
        if (request.MemberEpoch != ConsumerGroupHeartbeatRequest.JoinEpoch && request.MemberId.Length == 0)
            throw Invalid("MemberId can't be empty");
        if (request.MemberEpoch == ConsumerGroupHeartbeatRequest.JoinEpoch)
        {
            if (request.RebalanceTimeoutMs < 0) throw Invalid("RebalanceTimeoutMs must be given when (re-)joining");
            if (request.OwnedPartitions is not { Length: 0 }) throw Invalid("TopicPartitions must be empty when (re-)joining");
            if (request.SubscribedTopicNames is null && request.SubscribedTopicRegex is null)
                throw Invalid("SubscribedTopicNames or SubscribedTopicRegex must be given when (re-)joining");
        }
        if (request.ServerAssignor is { } assignor && ServerAssignors.Find(assignor) is null)
            throw new HubException(ErrorCode.UnsupportedAssignor, $"unknown server assignor '{assignor}'; Hub has {string.Join(", ", ServerAssignors.Names)}");
        if (request.SubscribedTopicRegex is { Length: > 0 } regex) RegexFor(regex);
    }

    private (ConsumerGroupMember Member, bool Joined) Join(ConsumerGroupHeartbeatRequest request, long now)
    {
        var memberId = request.MemberId.Length > 0 ? request.MemberId : Guid.NewGuid().ToString("N");
        if (request.InstanceId is { } instance && _staticMembers.TryGetValue(instance, out var holderId) && holderId != memberId)
        {
            var away = _members[holderId];
            if (!away.IsAway)
                throw new HubException(ErrorCode.UnreleasedInstanceId,
                    $"group.instance.id '{instance}' is held by active member {holderId} of group '{groupId}'; it must leave first");
            // The restarted static member takes over its old self: same partitions, no rebalance unless its subscription changed.
            _members.Remove(holderId);
            away.MemberId = memberId;
            away.MemberEpoch = away.PreviousMemberEpoch;
            _members[memberId] = away;
            _staticMembers[instance] = memberId;
            if (_target.Remove(holderId, out var target)) _target[memberId] = target;
            foreach (var partition in away.Assigned.Concat(away.PendingRevocation)) _holders[partition] = memberId;
            LogStaticMemberReturned(groupId, instance, memberId, holderId);
            return (away, false);
        }
        if (_members.TryGetValue(memberId, out var existing))
        {
            // A fenced member rejoining: it has let go of everything, and starts over towards its target.
            SetPartitions(existing, [], []);
            existing.PreviousMemberEpoch = existing.MemberEpoch;
            existing.MemberEpoch = ConsumerGroupHeartbeatRequest.JoinEpoch;
            existing.State = ConsumerMemberState.Stable;
            return (existing, false);
        }
        var member = new ConsumerGroupMember(memberId, now) { InstanceId = request.InstanceId };
        _members.Add(memberId, member);
        if (member.InstanceId is { } id) _staticMembers[id] = memberId;
        LogMemberJoined(groupId, memberId);
        return (member, true);
    }

    /// <param name="owned">What the member reports owning, by name (null: unchanged).</param>
    private ConsumerGroupMember Existing(ConsumerGroupHeartbeatRequest request, HashSet<TopicPartition>? owned)
    {
        var member = RequireMember(request.MemberId, request.InstanceId);
        var epoch = request.MemberEpoch;
        if (epoch == member.MemberEpoch) return member;
        // The member may not have received its last answer: its previous epoch is fine if it owns nothing it shouldn't.
        if (epoch < member.MemberEpoch && epoch == member.PreviousMemberEpoch && owned is not null && owned.IsSubsetOf(member.Assigned)) return member;
        throw new HubException(ErrorCode.FencedMemberEpoch,
            $"member {member.MemberId} of group '{groupId}' sent epoch {epoch}, but its epoch is {member.MemberEpoch}; rejoin with epoch 0");
    }

    private ConsumerGroupMember RequireMember(string memberId, string? instanceId)
    {
        if (!_members.TryGetValue(memberId, out var member))
            throw new HubException(ErrorCode.UnknownMemberId,
                $"member '{memberId}' is not in group '{groupId}' (it left, was removed, or the group restarted); rejoin with epoch 0");
        if (instanceId is not null && member.InstanceId != instanceId)
            throw new HubException(ErrorCode.FencedInstanceId, $"member {memberId} of group '{groupId}' does not have group.instance.id '{instanceId}'");
        return member;
    }

    /// <summary>Applies the fields the member sent; true when its subscription (topics, regex, assignor) changed.</summary>
    private bool Update(ConsumerGroupMember member, ConsumerGroupHeartbeatRequest request)
    {
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        if (request.RackId is not null) member.RackId = request.RackId;
        if (request.RebalanceTimeoutMs >= 0) member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        var changed = false;
        if (request.SubscribedTopicNames is { } names)
        {
            var sorted = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            changed |= !sorted.SequenceEqual(member.SubscribedTopicNames);
            member.SubscribedTopicNames = sorted;
        }
        if (request.SubscribedTopicRegex is { } regex)
        {
            var value = regex.Length == 0 ? null : regex;
            changed |= value != member.SubscribedTopicRegex;
            member.SubscribedTopicRegex = value;
            ForgetUnusedRegexes();
        }
        if (request.ServerAssignor is { } assignor)
        {
            changed |= assignor != member.ServerAssignor;
            member.ServerAssignor = assignor;
        }
        return changed;
    }

    private ConsumerGroupHeartbeatResult Leave(ConsumerGroupHeartbeatRequest request)
    {
        var member = RequireMember(request.MemberId, request.InstanceId);
        RemoveMember(member);
        LogMemberLeft(groupId, member.MemberId);
        BumpGroupEpoch($"member {member.MemberId} left");
        return new ConsumerGroupHeartbeatResult(member.MemberId, ConsumerGroupHeartbeatRequest.LeaveEpoch, HeartbeatIntervalMs, null);
    }

    /// <summary>A static member going away for a while keeps its partitions (nobody else reads them) until its session times out.</summary>
    private ConsumerGroupHeartbeatResult LeaveForAWhile(ConsumerGroupHeartbeatRequest request)
    {
        var member = RequireMember(request.MemberId, request.InstanceId);
        if (!member.IsAway)
        {
            member.PreviousMemberEpoch = member.MemberEpoch;
            member.MemberEpoch = ConsumerGroupHeartbeatRequest.StaticLeaveEpoch;
        }
        member.LastSeen = time.GetTimestamp();
        LogStaticMemberAway(groupId, member.MemberId, member.InstanceId);
        return new ConsumerGroupHeartbeatResult(member.MemberId, ConsumerGroupHeartbeatRequest.StaticLeaveEpoch, HeartbeatIntervalMs, null);
    }

    // ───────────────────────────── Reconciliation ─────────────────────────────

    /// <summary>
    /// Moves the member towards its target (Kafka's CurrentAssignmentBuilder): revocations first, at the old epoch; then
    /// the target epoch with what is free of other holders.
    /// </summary>
    /// <param name="owned">What the member reports owning (null: unchanged since its last heartbeat).</param>
    private void Reconcile(ConsumerGroupMember member, HashSet<TopicPartition>? owned, long now)
    {
        switch (member.State)
        {
            case ConsumerMemberState.UnrevokedPartitions when owned is null || owned.Overlaps(member.PendingRevocation):
                return; // still revoking; the deadline is Tick's
            case ConsumerMemberState.Stable when member.MemberEpoch == _targetEpoch:
                return;
        }
        var target = _target.GetValueOrDefault(member.MemberId) ?? [];
        var keep = member.Assigned.Where(target.Contains).ToHashSet();
        var revoke = member.Assigned.Where(p => !target.Contains(p)).ToHashSet();
        if (revoke.Count > 0)
        {
            SetPartitions(member, keep, revoke);
            member.State = ConsumerMemberState.UnrevokedPartitions;
            member.RevocationDeadline = now + Ticks(member.RebalanceTimeoutMs);
            return;
        }
        var unreleased = 0;
        foreach (var partition in target)
        {
            if (keep.Contains(partition)) continue;
            if (_holders.TryGetValue(partition, out var holder) && holder != member.MemberId) unreleased++;
            else keep.Add(partition);
        }
        SetPartitions(member, keep, []);
        if (member.MemberEpoch != _targetEpoch)
        {
            member.PreviousMemberEpoch = member.MemberEpoch;
            member.MemberEpoch = _targetEpoch;
        }
        member.State = unreleased > 0 ? ConsumerMemberState.UnreleasedPartitions : ConsumerMemberState.Stable;
    }

    private void SetPartitions(ConsumerGroupMember member, HashSet<TopicPartition> assigned, HashSet<TopicPartition> pendingRevocation)
    {
        foreach (var partition in member.Assigned.Concat(member.PendingRevocation))
        {
            if (_holders.GetValueOrDefault(partition) == member.MemberId) _holders.Remove(partition);
        }
        member.Assigned = assigned;
        member.PendingRevocation = pendingRevocation;
        foreach (var partition in assigned.Concat(pendingRevocation)) _holders[partition] = member.MemberId;
    }

    // ───────────────────────────── Group epoch and target assignment ─────────────────────────────

    private void BumpGroupEpoch(string reason)
    {
        record().Generation++;
        record().ProtocolType = GroupProtocolTypes.Consumer;
        record().GroupType = GroupTypes.Consumer;
        record().EmptySinceMs = _members.Count == 0 ? time.GetUtcNow().ToUnixTimeMilliseconds() : -1;
        ComputeTargetAssignment();
        LogGroupEpoch(groupId, GroupEpoch, _members.Count, _assignor, reason);
        epochChanged();
    }

    /// <summary>The assignor most members ask for (the default when none do) over every member's resolved subscription.</summary>
    private void ComputeTargetAssignment()
    {
        _assignor = _members.Values.Where(m => m.ServerAssignor is not null).GroupBy(m => m.ServerAssignor!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key == DefaultAssignor ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).FirstOrDefault() ?? DefaultAssignor;
        _targetTopics = SubscribedTopics();
        var members = _members.Values.Select(m => new AssignorMember(m.MemberId, m.InstanceId, TopicsOf(m).ToList(),
            (_target.GetValueOrDefault(m.MemberId) ?? m.Assigned).ToList(), _targetEpoch)).ToList();
        var assignment = ServerAssignors.Find(_assignor)!.Assign(_targetTopics.ToDictionary(t => t.Key, t => t.Value.Partitions, StringComparer.Ordinal), members);
        _target = assignment.ToDictionary(e => e.Key, e => e.Value.ToHashSet(), StringComparer.Ordinal);
        _targetEpoch = GroupEpoch;
    }

    /// <summary>Topics the member subscribes to that exist: its names and its regex's matches (once resolved).</summary>
    private IEnumerable<string> TopicsOf(ConsumerGroupMember member)
    {
        var named = member.SubscribedTopicNames.Where(_topics.ContainsKey);
        if (member.SubscribedTopicRegex is not { } regex || !_regexMatches.TryGetValue(regex, out var matches)) return named;
        return named.Union(matches.Where(_topics.ContainsKey), StringComparer.Ordinal);
    }

    private Dictionary<string, (Guid Id, int Partitions)> SubscribedTopics() =>
        _members.Values.SelectMany(TopicsOf).Distinct(StringComparer.Ordinal).ToDictionary(t => t, t => _topics[t], StringComparer.Ordinal);

    private bool SubscribedTopicsChanged()
    {
        var now = SubscribedTopics();
        return now.Count != _targetTopics.Count || now.Any(t => !_targetTopics.TryGetValue(t.Key, out var then) || then != t.Value);
    }

    /// <summary>
    /// Kafka's regexes are RE2/J and must match a whole topic name. .NET's non-backtracking engine shares RE2's linear
    /// time, so a member's pattern can't stall the group.
    /// </summary>
    private Regex RegexFor(string pattern)
    {
        if (_regexes.TryGetValue(pattern, out var regex)) return regex;
        try
        {
            regex = new Regex($"^(?:{pattern})$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new HubException(ErrorCode.InvalidRegularExpression, $"SubscribedTopicRegex '{pattern}' is not a valid regular expression: {e.Message}");
        }
        return _regexes[pattern] = regex;
    }

    // ───────────────────────────── Deadlines ─────────────────────────────

    /// <summary>Removes members whose session timed out, or that did not revoke within their rebalance timeout.</summary>
    public void Tick()
    {
        var now = time.GetTimestamp();
        var session = options.ConsumerGroupSessionTimeout;
        var gone = _members.Values.Where(m => time.GetElapsedTime(m.LastSeen, now) > session
            || (m.State == ConsumerMemberState.UnrevokedPartitions && now > m.RevocationDeadline)).ToList();
        foreach (var member in gone)
        {
            RemoveMember(member);
            LogMemberRemoved(groupId, member.MemberId, member.State == ConsumerMemberState.UnrevokedPartitions && now > member.RevocationDeadline
                ? "it did not revoke its partitions within its rebalance timeout" : "its session timed out");
        }
        if (gone.Count > 0) BumpGroupEpoch($"{gone.Count} member(s) removed");
    }

    private void RemoveMember(ConsumerGroupMember member)
    {
        SetPartitions(member, [], []);
        _members.Remove(member.MemberId);
        _target.Remove(member.MemberId);
        if (member.InstanceId is { } instance && _staticMembers.GetValueOrDefault(instance) == member.MemberId) _staticMembers.Remove(instance);
        ForgetUnusedRegexes();
    }

    /// <summary>A regex no member uses any more is forgotten: subscribed to again, it is resolved afresh (a heartbeat later), as in Kafka.</summary>
    private void ForgetUnusedRegexes()
    {
        foreach (var pattern in _regexMatches.Keys.Where(p => !_members.Values.Any(m => m.SubscribedTopicRegex == p)).ToList()) _regexMatches.Remove(pattern);
    }

    // ───────────────────────────── Offsets, describe ─────────────────────────────

    /// <summary>
    /// Kafka's OffsetCommit rules for this protocol: no member id and no epoch only while the group is empty; otherwise
    /// a member, at its current epoch (STALE_MEMBER_EPOCH: it learns the new one on its next heartbeat and commits again).
    /// </summary>
    public void CheckCommitter(OffsetCommitRequest request)
    {
        if (request.GenerationId < 0 && string.IsNullOrEmpty(request.MemberId) && _members.Count == 0) return;
        var member = RequireMember(request.MemberId ?? "", request.GroupInstanceId is "" ? null : request.GroupInstanceId);
        if (request.GenerationId != member.MemberEpoch)
            throw new HubException(ErrorCode.StaleMemberEpoch,
                $"member {member.MemberId} of group '{groupId}' committed with epoch {request.GenerationId}; its epoch is {member.MemberEpoch}");
    }

    /// <summary>Whether a member subscribes to <paramref name="topic"/> (OffsetDelete refuses such a topic's offsets).</summary>
    public bool IsSubscribedTo(string topic) =>
        _members.Values.Any(m => m.SubscribedTopicNames.Contains(topic, StringComparer.Ordinal)
            || (m.SubscribedTopicRegex is { } regex && RegexFor(regex).IsMatch(topic)));

    public ConsumerGroupDescription Describe()
    {
        var members = _members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal).Select(m => new ConsumerGroupMemberDescription(
            m.MemberId, m.InstanceId, m.RackId, m.MemberEpoch, m.ClientId, m.ClientHost, m.SubscribedTopicNames, m.SubscribedTopicRegex,
            m.Assigned.Order().ToArray(), (_target.GetValueOrDefault(m.MemberId) ?? []).Order().ToArray())).ToArray();
        return new ConsumerGroupDescription(groupId, StateName, GroupEpoch, _targetEpoch, _assignor, members);
    }

    /// <summary>Kafka's state names for this protocol; the target is always computed at once, so never Assigning.</summary>
    private string StateName =>
        _members.Count == 0 ? "Empty"
        : _members.Values.All(m => m.IsAway || (m.MemberEpoch == _targetEpoch && m.State == ConsumerMemberState.Stable)) ? "Stable"
        : "Reconciling";

    /// <summary>The group in DescribeGroups' (classic) terms, for tools that only know that API.</summary>
    public GroupDescription DescribeAsClassic() => new(groupId,
        StateName == "Stable" ? GroupState.Stable : GroupState.PreparingRebalance, GroupProtocolTypes.Consumer, _assignor, GroupEpoch, "",
        _members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal).Select(m => new GroupMemberDescription(m.MemberId, m.InstanceId, m.ClientId, m.ClientHost,
            ConsumerProtocol.EncodeSubscription(new ConsumerSubscription(TopicsOf(m).ToList(), [])),
            ConsumerProtocol.EncodeAssignment(m.Assigned.Order()))).ToArray()) { GroupType = GroupTypes.Consumer };

    // ───────────────────────────── Topic ids ─────────────────────────────

    private HashSet<TopicPartition>? OwnedPartitions(TopicIdPartitions[]? owned)
    {
        if (owned is null) return null;
        var names = _topics.ToDictionary(t => t.Value.Id, t => t.Key);
        // A topic id the group does not know (deleted since) can't be in any assignment: it is ignored.
        return owned.Where(t => names.ContainsKey(t.TopicId))
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(names[t.TopicId], p))).ToHashSet();
    }

    private TopicIdPartitions[] WithIds(HashSet<TopicPartition> partitions) =>
        partitions.GroupBy(p => p.Topic).Where(g => _topics.ContainsKey(g.Key)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TopicIdPartitions(_topics[g.Key].Id, g.Select(p => p.Partition).Order().ToArray())).ToArray();

    private static HubException Invalid(string message) => new(ErrorCode.InvalidRequest, message);

    private long Ticks(int milliseconds) => (long)(milliseconds * (time.TimestampFrequency / 1000.0));

    // ───────────────────────────── Log ─────────────────────────────

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} joined (consumer protocol)")]
    private partial void LogMemberJoined(string group, string member);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} left")]
    private partial void LogMemberLeft(string group, string member);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: member {Member} removed: {Reason}")]
    private partial void LogMemberRemoved(string group, string member, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: static member {Member} ({Instance}) is away; its partitions wait for it")]
    private partial void LogStaticMemberAway(string group, string member, string? instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: static member {Instance} is back as {Member}, replacing {Old}")]
    private partial void LogStaticMemberReturned(string group, string instance, string member, string old);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: epoch {Epoch} with {Members} members, assignor {Assignor}: {Reason}")]
    private partial void LogGroupEpoch(string group, int epoch, int members, string assignor, string reason);
}

/// <summary>Topics a consumer-protocol group must read before a heartbeat: all of them (for regexes) or these names.</summary>
internal sealed record TopicsToRead(bool All, string[] Names);
