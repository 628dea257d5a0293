using Hub.Silo.InterBroker;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Hub.Silo.Groups;

/// <summary>
/// One consumer group as a grain: activation, persistence, the timer that ticks the
/// <see cref="GroupCoordinator"/> (members, generations, the rebalance protocol), the
/// <see cref="GroupOffsetStore"/> (committed offsets), topic metadata for both, and registration with the
/// group directory.
/// <para>
/// Reentrant, because JoinGroup and SyncGroup long-poll: a member waiting for the rebalance must not hold
/// back the heartbeats, joins and commits of the others. That is safe because every check and change of the
/// group happens synchronously: the only awaits are for topic metadata and the directory (before anything is
/// checked), for the member's rebalance to complete (after everything is changed), and for the durable write
/// (after the change is made).
/// </para>
/// <para>
/// Durable (<see cref="ConsumerGroupState"/>): committed offsets, the generation and when the group became
/// empty. Members live in memory only, so after a restart the group is empty and members rejoin.
/// </para>
/// </summary>
[Reentrant]
internal sealed partial class ConsumerGroupGrain : Grain, IInterBrokerGroupGrain
{
    /// <summary>Resolution of session and rebalance deadlines.</summary>
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(100);

    private readonly IPersistentState<ConsumerGroupState> _state;
    private readonly TimeProvider _time;
    private readonly ILogger<ConsumerGroupGrain> _logger;
    private readonly CoalescingStateWriter _writer;
    private readonly GroupCoordinator _coordinator;
    private readonly ConsumerGroupCoordinator _consumerGroup;
    private readonly GroupOffsetStore _offsets;

    private bool _registered;
    private IGrainTimer? _timer;

    public ConsumerGroupGrain(
        [PersistentState("group", HubStorage.Name)] IPersistentState<ConsumerGroupState> state,
        IOptions<HubSiloOptions> options,
        TimeProvider time,
        ILogger<ConsumerGroupGrain> logger)
    {
        _state = state;
        _time = time;
        _logger = logger;
        _writer = new CoalescingStateWriter(() => _state.WriteStateAsync());
        _coordinator = new GroupCoordinator(this.GetPrimaryKeyString(), () => _state.State, options.Value, time, logger, PersistInBackground);
        _consumerGroup = new ConsumerGroupCoordinator(this.GetPrimaryKeyString(), () => _state.State, options.Value, time, logger, PersistInBackground);
        _offsets = new GroupOffsetStore(() => _state.State, options.Value, time);
    }

    private string GroupId => this.GetPrimaryKeyString();

    private ConsumerGroupState Stored => _state.State;

    /// <summary>Has anything to show besides members: stored state, offsets, or a past generation.</summary>
    private bool Exists => _state.RecordExists || Stored.Generation > 0 || _offsets.Count > 0;

    private IInterBrokerGroupDirectoryGrain Directory => GrainFactory.GetGrain<IInterBrokerGroupDirectoryGrain>(0);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_state.RecordExists) return;
        try
        {
            if (Stored.EmptySinceMs < 0)
            {
                // Members did not survive the last activation: the group is empty from now on. Stored, or every
                // activation would restart the offsets-retention clock.
                Stored.EmptySinceMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
                await PersistAsync();
            }
            await EnsureRegisteredAsync();
            await ExpireAsync(removeWithoutOffsets: false);
        }
        catch (Exception e)
        {
            LogActivationHousekeepingFailed(e, GroupId);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _coordinator.FailWaitingCalls(new HubException(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}' is moving; retry"));
        return Task.CompletedTask;
    }

    // ───────────────────────────── Membership: onto the coordinator ─────────────────────────────

    public async Task<JoinGroupResult> JoinGroup(JoinGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_consumerGroup.MemberCount > 0)
            throw new HubException(ErrorCode.InconsistentGroupProtocol,
                $"group '{GroupId}' has {_consumerGroup.MemberCount} member(s) of the consumer protocol (KIP-848); classic members can't join it");
        if (request.GroupInstanceId is "") request = request with { GroupInstanceId = null };
        _coordinator.ValidateJoin(request);
        if (request.ProtocolType == GroupProtocolTypes.Hub)
            await RefreshPartitionCountsAsync(request.Protocols.SelectMany(p => ConsumerProtocol.DecodeSubscription(p.Metadata).Topics).Distinct());
        await EnsureRegisteredAsync();
        // From here to the coordinator's wait, nothing awaits: its checks and changes see one consistent group.
        return await Ticking(_coordinator.JoinAsync(request));
    }

    public async Task<ConsumerGroupHeartbeatResult> ConsumerGroupHeartbeat(ConsumerGroupHeartbeatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_coordinator.ActiveMemberCount > 0)
            throw new HubException(ErrorCode.GroupIdNotFound,
                $"group '{GroupId}' is a classic group with {_coordinator.ActiveMemberCount} member(s); consumer-protocol members can't join it");
        if (_consumerGroup.TopicsNeededFor(request) is { } needed) await ReadTopicsAsync(needed);
        await EnsureRegisteredAsync();
        // From here on nothing awaits: the coordinator sees one consistent group.
        var result = _consumerGroup.Heartbeat(request);
        StartTicking();
        return result;
    }

    /// <summary>GroupIdNotFound for a group that is not one of the consumer protocol (Kafka's answer): classic members, or nothing at all.</summary>
    public Task<ConsumerGroupDescription> DescribeConsumerGroup()
    {
        if (_coordinator.ActiveMemberCount > 0 || (_consumerGroup.MemberCount == 0 && !Exists))
            throw new HubException(ErrorCode.GroupIdNotFound, $"group '{GroupId}' is not a consumer-protocol group");
        return Task.FromResult(_consumerGroup.Describe());
    }

    public async Task<SyncGroupResult> SyncGroup(SyncGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await Ticking(_coordinator.SyncAsync(request));
    }

    public Task<ErrorCode> Heartbeat(int generationId, string memberId, string? groupInstanceId = null) =>
        Task.FromResult(_coordinator.Heartbeat(generationId, memberId, groupInstanceId));

    public Task<ErrorCode[]> LeaveGroup(LeaveGroupMember[] members, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        return Task.FromResult(_coordinator.Leave(members, reason));
    }

    // ───────────────────────────── Offsets: onto the offset store ─────────────────────────────

    public async Task CommitOffsets(OffsetCommitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var offsets = request.Offsets ?? [];
        _offsets.Validate(offsets);
        var counts = await RefreshPartitionCountsAsync(offsets.Select(o => o.Topic).Distinct(StringComparer.Ordinal));
        // From here to the write, nothing awaits.
        if (!_offsets.Commit(offsets, counts, () => CheckCommitter(request))) return;
        await PersistAsync();
        await EnsureRegisteredAsync();
    }

    public async Task CommitTransactionalOffsets(long producerId, OffsetCommitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var offsets = request.Offsets ?? [];
        _offsets.Validate(offsets);
        var counts = await RefreshPartitionCountsAsync(offsets.Select(o => o.Topic).Distinct(StringComparer.Ordinal));
        // Kafka checks the member only when the request names one (TxnOffsetCommit v3+, KIP-447).
        void CheckMember()
        {
            if (request.GenerationId != OffsetCommitRequest.NoGeneration || request.MemberId != "") CheckCommitter(request);
        }
        if (!_offsets.CommitPending(producerId, offsets, counts, CheckMember)) return;
        await PersistAsync();
        await EnsureRegisteredAsync();
    }

    public Task<TopicPartition[]> PendingTransactionalOffsets(TopicPartition[] partitions) =>
        Task.FromResult(partitions.Where(_offsets.HasPending).ToArray());

    public async Task CompleteTransaction(long producerId, bool commit)
    {
        if (_offsets.CompleteTransaction(producerId, commit)) await PersistAsync();
    }

    public Task<CommittedOffset[]> FetchOffsets(TopicPartition[]? partitions = null) => Task.FromResult(_offsets.Fetch(partitions));

    // ───────────────────────────── Admin ─────────────────────────────

    public Task<GroupDescription> Describe() =>
        Task.FromResult(_consumerGroup.MemberCount > 0 ? _consumerGroup.DescribeAsClassic() : _coordinator.Describe(Exists));

    public async Task DeleteGroup()
    {
        _coordinator.ThrowIfDead();
        if (ActiveMemberCount > 0)
            throw new HubException(ErrorCode.NonEmptyGroup, $"group '{GroupId}' has {ActiveMemberCount} active member(s); only an empty group can be deleted");
        if (!Exists) throw new HubException(ErrorCode.GroupIdNotFound, $"group '{GroupId}' does not exist");
        await RemoveGroupAsync("deleted");
    }

    public async Task<ErrorCode[]> DeleteOffsets(TopicPartition[] partitions)
    {
        _coordinator.ThrowIfDead();
        if (!Exists) throw new HubException(ErrorCode.GroupIdNotFound, $"group '{GroupId}' does not exist");
        var errors = partitions.Select(p => _coordinator.MayDeleteOffsetsOf(p.Topic) && !_consumerGroup.IsSubscribedTo(p.Topic)
            ? ErrorCode.None : ErrorCode.GroupSubscribedToTopic).ToArray();
        if (_offsets.Delete(partitions.Where((_, i) => errors[i] == ErrorCode.None))) await PersistAsync();
        return errors;
    }

    public Task ExpireOffsets() => ExpireAsync(removeWithoutOffsets: true);

    /// <param name="removeWithoutOffsets">
    /// Remove an empty group that has no offsets (Kafka's cleanup does); not on activation, where that would
    /// only mean the members were lost with the last activation.
    /// </param>
    private async Task ExpireAsync(bool removeWithoutOffsets)
    {
        if (_coordinator.Phase != GroupState.Empty || ActiveMemberCount > 0 || !Exists) return;
        var expired = _offsets.Expire(Stored.EmptySinceMs);
        if (_offsets.Count > 0)
        {
            if (expired == 0) return;
            LogOffsetsExpired(GroupId, expired);
            await PersistAsync();
            return;
        }
        if (expired == 0 && !removeWithoutOffsets) return;
        // Kafka's rule too: an empty group with no offsets is gone.
        await RemoveGroupAsync(expired > 0 ? $"its {expired} offset(s) expired" : "it is empty and has no offsets");
    }

    // ───────────────────────────── Plumbing ─────────────────────────────

    /// <summary>Members of either protocol (one group has members of one protocol at a time).</summary>
    private int ActiveMemberCount => _coordinator.ActiveMemberCount + _consumerGroup.MemberCount;

    /// <summary>A commit is checked by the protocol the group's members speak.</summary>
    private void CheckCommitter(OffsetCommitRequest request)
    {
        if (_consumerGroup.MemberCount > 0) _consumerGroup.CheckCommitter(request);
        else _coordinator.CheckCommitter(request);
    }

    /// <summary>Topics a consumer-protocol group needs (all of them, for regexes), from the controller.</summary>
    private async Task ReadTopicsAsync(TopicsToRead needed)
    {
        var controller = GrainFactory.GetGrain<IClusterControllerGrain>(0);
        var topics = needed.All ? await controller.ListTopics() : await controller.GetTopics(needed.Names);
        _consumerGroup.TopicsRead(topics, needed.All, needed.Names);
    }

    /// <summary>Partition counts of the topics (null: no such topic), from the controller; the coordinator keeps them for assignment.</summary>
    private async Task<Dictionary<string, int?>> RefreshPartitionCountsAsync(IEnumerable<string> topics)
    {
        var controller = GrainFactory.GetGrain<IClusterControllerGrain>(0);
        var names = topics.ToList();
        var metadata = await Task.WhenAll(names.Select(controller.GetTopic));
        var counts = new Dictionary<string, int?>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++) counts[names[i]] = metadata[i]?.PartitionCount;
        _coordinator.PartitionCountsRead(counts);
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
            LogWriteFailed(e, GroupId);
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
        _coordinator.BeginRemoval();
        try
        {
            await _writer.DrainAsync();
            await _state.ClearStateAsync();
            await Directory.Unregister(GroupId);
            _registered = false;
            LogRemoved(GroupId, reason);
        }
        finally
        {
            _coordinator.EndRemoval();
        }
    }

    /// <summary>Runs the timer while the coordinator has deadlines; <paramref name="call"/> made its changes before returning its task.</summary>
    private Task<T> Ticking<T>(Task<T> call)
    {
        StartTicking();
        return call;
    }

    private void StartTicking()
    {
        if (NeedsTicks) _timer ??= this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TickPeriod, TickPeriod) { Interleave = true });
    }

    private bool NeedsTicks => _coordinator.NeedsTicks || _consumerGroup.NeedsTicks;

    private Task Tick()
    {
        _coordinator.Tick();
        _consumerGroup.Tick();
        if (!NeedsTicks)
        {
            _timer?.Dispose();
            _timer = null;
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group}: housekeeping on activation failed")]
    private partial void LogActivationHousekeepingFailed(Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group}: {Count} committed offset(s) expired")]
    private partial void LogOffsetsExpired(string group, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Group {Group}: writing group state failed; reloading")]
    private partial void LogWriteFailed(Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {Group} removed: {Reason}")]
    private partial void LogRemoved(string group, string reason);
}
