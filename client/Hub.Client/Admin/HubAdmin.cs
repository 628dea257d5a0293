using Hub.Client.Metadata;
using Hub.Grains;
using Hub.Groups;
using Hub.Errors;
using Hub.Quotas;
using Hub.Topics;

namespace Hub.Client;

/// <summary>
/// Topic administration through the cluster controller. Refusals arrive as <see cref="HubException"/> with
/// Kafka's error codes (TopicAlreadyExists, InvalidPartitions, ...). Cancelling a call stops the wait, not the
/// operation, which the controller may still complete.
/// </summary>
public sealed class HubAdmin
{
    private readonly IGrainFactory _grains;
    private readonly PartitionRouter _router;

    internal HubAdmin(IGrainFactory grains, PartitionRouter router)
    {
        _grains = grains;
        _router = router;
    }

    /// <param name="configs">Kafka topic config names and values (retention.ms, segment.bytes, min.insync.replicas, ...).</param>
    /// <param name="replicationFactor">Copies of each partition on distinct brokers; -1: min(3, live brokers).</param>
    public async Task<TopicMetadata> CreateTopicAsync(string name, int partitions,
        IReadOnlyDictionary<string, string>? configs = null, CancellationToken ct = default, short replicationFactor = -1)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var metadata = await _router.OnControllerAsync(c => c.CreateTopic(name, partitions, configs, replicationFactor), ct).ConfigureAwait(false);
        _router.Remember(metadata);
        return metadata;
    }

    public Task<IReadOnlyList<TopicMetadata>> ListTopicsAsync(CancellationToken ct = default) =>
        _router.OnControllerAsync(c => c.ListTopics(), ct);

    /// <summary>The topic and each partition's log state; throws UnknownTopicOrPartition when there is no such topic.</summary>
    public async Task<TopicDescription> DescribeTopicAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var metadata = await _router.OnControllerAsync(c => c.GetTopic(name), ct).ConfigureAwait(false)
            ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");
        _router.Remember(metadata);
        var states = await Task.WhenAll(metadata.Partitions.Select(p =>
            _router.InvokeAsync(name, p.Partition, grain => grain.GetState(), ct))).ConfigureAwait(false);
        return new TopicDescription(metadata, states);
    }

    public async Task DeleteTopicAsync(string name, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            await _router.OnControllerAsync(async c => { await c.DeleteTopic(name); return true; }, ct).ConfigureAwait(false);
        }
        finally
        {
            _router.Forget(name);
        }
    }

    /// <summary>Grows the topic to <paramref name="totalPartitions"/> partitions; topics never shrink, as in Kafka.</summary>
    public async Task<TopicMetadata> AddPartitionsAsync(string name, int totalPartitions, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var metadata = await _router.OnControllerAsync(c => c.AddPartitions(name, totalPartitions), ct).ConfigureAwait(false);
        _router.Remember(metadata);
        return metadata;
    }

    /// <summary>
    /// Changes the topic's configs (Kafka's IncrementalAlterConfigs): sets, deletes (back to the default), appends to
    /// or subtracts from list configs, all or none; stored before this returns, then applied by every replica without a
    /// restart. Throws UnknownTopicOrPartition, InvalidConfig (an unknown config, a bad value) or InvalidRequest.
    /// </summary>
    public async Task AlterTopicConfigAsync(string name, IReadOnlyList<TopicConfigAlteration> alterations, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(alterations);
        var results = await _router.OnControllerAsync(c => c.AlterTopicConfigs([new TopicConfigChange(name, alterations)]), ct).ConfigureAwait(false);
        _router.Forget(name); // the cached metadata holds the old configs
        if (results[0] is { Error: not ErrorCode.None } refused) throw new HubException(refused.Error, refused.Message ?? refused.Error.ToString());
    }

    /// <summary>
    /// Deletes the records of <paramref name="topic"/>'s <paramref name="partitions"/> (all when null) below
    /// <paramref name="beforeOffset"/> (-1: the high watermark), as Kafka's DeleteRecords: each partition's log start moves
    /// there for good. Needs DELETE on the topic. Throws OffsetOutOfRange for an offset above a partition's high
    /// watermark (the partitions before it in order are done); returns each partition's new log start.
    /// </summary>
    public async Task<IReadOnlyList<(int Partition, long LogStartOffset)>> DeleteRecordsAsync(string topic, long beforeOffset,
        IReadOnlyCollection<int>? partitions = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var selected = await PartitionsOfAsync(topic, partitions, ct).ConfigureAwait(false);
        var starts = new List<(int, long)>();
        foreach (var partition in selected)
            starts.Add((partition, await _router.InvokeAsync(topic, partition, grain => grain.DeleteRecords(beforeOffset), ct).ConfigureAwait(false)));
        return starts;
    }

    /// <summary>
    /// Kafka's ElectLeaders for <paramref name="topic"/>'s <paramref name="partitions"/> (all when null): each goes to its
    /// preferred replica when that is live and in sync, or with <paramref name="unclean"/> a partition without a live
    /// leader gets its first live replica, in sync or not (records may be lost). Needs ALTER on the cluster. A result per
    /// partition: None when its leader changed, else why not (ElectionNotNeeded, PreferredLeaderNotAvailable, ...).
    /// </summary>
    public async Task<IReadOnlyList<LeaderElectionResult>> ElectLeadersAsync(string topic, IReadOnlyCollection<int>? partitions = null,
        bool unclean = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var selected = await PartitionsOfAsync(topic, partitions, ct).ConfigureAwait(false);
        var results = await _router.OnControllerAsync(c => c.ElectLeaders(unclean, [.. selected.Select(p => new TopicPartition(topic, p))]), ct)
            .ConfigureAwait(false);
        _router.Forget(topic); // the cached leaders may have moved
        return results;
    }

    // ───────────────────────────── Client quotas ─────────────────────────────

    /// <summary>Every client quota set (Kafka's DescribeClientQuotas): per user, client id or both, defaults included.</summary>
    public Task<IReadOnlyList<ClientQuota>> DescribeClientQuotasAsync(CancellationToken ct = default) =>
        _router.OnControllerAsync(c => c.DescribeClientQuotas(), ct);

    /// <summary>
    /// Sets and removes quota values (Kafka's AlterClientQuotas), all or none: an unknown key, a value not above zero or
    /// an entity naming nothing refuses them all with InvalidRequest. Kafka clients of every silo are held to them within seconds.
    /// </summary>
    public Task AlterClientQuotasAsync(IReadOnlyList<ClientQuotaAlteration> alterations, CancellationToken ct = default) =>
        _router.OnControllerAsync(async c => { await c.AlterClientQuotas(alterations); return true; }, ct);

    // ───────────────────────────── Consumer groups ─────────────────────────────

    /// <summary>Every consumer group with its protocol type and state, by group id.</summary>
    public Task<GroupListing[]> ListGroupsAsync(CancellationToken ct = default) =>
        _grains.GetGrain<IGroupDirectoryGrain>(0).ListGroups().WaitAsync(ct);

    /// <summary>
    /// The group's members and assignment, and for every partition it reads or has committed: the committed
    /// offset, the log end and the lag. Throws GroupIdNotFound when there is no such group.
    /// </summary>
    public async Task<ConsumerGroupDescription> DescribeGroupAsync(string groupId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        var group = Group(groupId);
        var description = await group.Describe().WaitAsync(ct).ConfigureAwait(false);
        if (description.State == GroupState.Dead) throw new HubException(ErrorCode.GroupIdNotFound, $"group '{groupId}' does not exist");
        var committed = await group.FetchOffsets().WaitAsync(ct).ConfigureAwait(false);

        var members = description.Members.Select(m => new ConsumerGroupMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            DecodeAssignment(description.ProtocolType, m.Assignment))).ToList();
        var owners = new Dictionary<TopicPartition, string>();
        foreach (var member in members)
        {
            foreach (var partition in member.Assignment) owners[partition] = member.MemberId;
        }
        var byPartition = committed.ToDictionary(c => c.TopicPartition);
        var partitions = byPartition.Keys.Union(owners.Keys).Order().ToList();
        var ends = await Task.WhenAll(partitions.Select(p => LogEndOrNullAsync(p, ct))).ConfigureAwait(false);
        var lags = partitions.Select((p, i) =>
        {
            var offset = byPartition.GetValueOrDefault(p);
            long? committedOffset = offset is { Exists: true } ? offset.Offset : null;
            long? lag = committedOffset is { } c && ends[i] is { } end ? Math.Max(0, end - c) : null;
            return new GroupPartitionLag(p.Topic, p.Partition, committedOffset, ends[i], lag, owners.GetValueOrDefault(p), offset?.Metadata);
        }).ToList();
        return new ConsumerGroupDescription(groupId, description.State, description.ProtocolType, description.ProtocolName,
            description.GenerationId, description.LeaderId, members, lags);
    }

    /// <summary>
    /// Moves the group's committed offsets for <paramref name="topic"/> (all its partitions, or those given) to
    /// <paramref name="target"/>. Only for an inactive group: throws NonEmptyGroup while it has members.
    /// With <paramref name="dryRun"/> nothing is stored; either way the new offsets are returned.
    /// </summary>
    public async Task<IReadOnlyList<CommittedOffset>> ResetOffsetsAsync(string groupId, string topic, OffsetResetTarget target,
        IReadOnlyCollection<int>? partitions = null, bool dryRun = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(target);
        var group = Group(groupId);
        await ThrowIfActiveAsync(group, groupId, ct).ConfigureAwait(false);
        var selected = await PartitionsOfAsync(topic, partitions, ct).ConfigureAwait(false);
        var offsets = await Task.WhenAll(selected.Select(p => ResetOffsetAsync(topic, p, target, ct))).ConfigureAwait(false);
        var entries = selected.Select((p, i) => new OffsetCommitEntry(topic, p, offsets[i])).ToArray();
        if (!dryRun)
        {
            // Generation -1: the group refuses it if a member joined since the check above.
            await group.CommitOffsets(new OffsetCommitRequest { Offsets = entries }).WaitAsync(ct).ConfigureAwait(false);
        }
        return entries.Select(e => new CommittedOffset(e.Topic, e.Partition, e.Offset, -1, null, -1)).ToList();
    }

    /// <summary>
    /// Deletes the group's committed offsets of <paramref name="topic"/>'s <paramref name="partitions"/> (all when null),
    /// as Kafka's <c>kafka-consumer-groups --delete-offsets</c>: GroupSubscribedToTopic while a member subscribes to the
    /// topic, GroupIdNotFound when there is no group.
    /// </summary>
    public async Task DeleteOffsetsAsync(string groupId, string topic, IReadOnlyCollection<int>? partitions = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var selected = await PartitionsOfAsync(topic, partitions, ct).ConfigureAwait(false);
        var errors = await Group(groupId).DeleteOffsets([.. selected.Select(p => new TopicPartition(topic, p))]).WaitAsync(ct).ConfigureAwait(false);
        if (errors.Contains(ErrorCode.GroupSubscribedToTopic))
            throw new HubException(ErrorCode.GroupSubscribedToTopic, $"a member of group '{groupId}' subscribes to topic '{topic}': its offsets stay");
    }

    /// <summary>The given partitions of <paramref name="topic"/> in order, or all of them; UnknownTopicOrPartition for one it lacks.</summary>
    private async Task<List<int>> PartitionsOfAsync(string topic, IReadOnlyCollection<int>? partitions, CancellationToken ct)
    {
        var metadata = await _router.GetTopicAsync(topic, ct).ConfigureAwait(false);
        var selected = partitions?.Distinct().Order().ToList() ?? Enumerable.Range(0, metadata.PartitionCount).ToList();
        foreach (var partition in selected)
        {
            if ((uint)partition >= (uint)metadata.PartitionCount)
                throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{topic}' has no partition {partition} (it has {metadata.PartitionCount})");
        }
        return selected;
    }

    /// <summary>Deletes the group and its committed offsets: NonEmptyGroup while it has members, GroupIdNotFound when there is none.</summary>
    public Task DeleteGroupAsync(string groupId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        return Group(groupId).DeleteGroup().WaitAsync(ct);
    }

    private IConsumerGroupGrain Group(string groupId) => _grains.GetGrain<IConsumerGroupGrain>(groupId);

    private static async Task ThrowIfActiveAsync(IConsumerGroupGrain group, string groupId, CancellationToken ct)
    {
        var description = await group.Describe().WaitAsync(ct).ConfigureAwait(false);
        if (description.Members.Length > 0)
            throw new HubException(ErrorCode.NonEmptyGroup,
                $"group '{groupId}' is active ({description.Members.Length} member(s), {description.State}); stop its consumers before resetting offsets");
    }

    private async Task<long> ResetOffsetAsync(string topic, int partition, OffsetResetTarget target, CancellationToken ct)
    {
        var state = await _router.InvokeAsync(topic, partition, grain => grain.GetState(), ct).ConfigureAwait(false);
        switch (target)
        {
            case OffsetResetTarget.EarliestTarget:
                return state.LogStartOffset;
            case OffsetResetTarget.LatestTarget:
                return state.HighWatermark;
            case OffsetResetTarget.OffsetTarget(var offset):
                return Math.Clamp(offset, state.LogStartOffset, state.HighWatermark);
            case OffsetResetTarget.TimestampTarget(var timestamp):
                var found = await _router.InvokeAsync(topic, partition, grain => grain.ListOffset(timestamp.ToUnixTimeMilliseconds()), ct)
                    .ConfigureAwait(false);
                return found.Offset >= 0 ? found.Offset : state.HighWatermark;
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target, "unknown reset target");
        }
    }

    private async Task<long?> LogEndOrNullAsync(TopicPartition partition, CancellationToken ct)
    {
        try
        {
            var state = await _router.InvokeAsync(partition.Topic, partition.Partition, grain => grain.GetState(), ct).ConfigureAwait(false);
            return state.HighWatermark;
        }
        catch (HubException e) when (StaleMetadata.IsSignalledBy(e.Code))
        {
            return null;
        }
    }

    private static IReadOnlyList<TopicPartition> DecodeAssignment(string protocolType, byte[] assignment)
    {
        if (protocolType is not (GroupProtocolTypes.Hub or GroupProtocolTypes.Consumer)) return [];
        try
        {
            return ConsumerProtocol.DecodeAssignment(assignment);
        }
        catch (HubException)
        {
            return []; // a Kafka client's own assignor may use another encoding
        }
    }
}
