using Hub.Silo.Controller;
using Hub.Silo.Partitions;
using Hub.Silo.Configuration;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Log;
using Hub.Silo.Placement;
using Hub.Silo.Replication;
using Hub.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Hub.Silo.Grains;

/// <summary>
/// One partition replica: owns its segment log on this broker's disk. Kept alive (reopening a log means a
/// recovery scan) and pinned to its broker by <see cref="BrokerPlacementAttribute"/>.
/// <para>
/// As leader (the assignment names this broker) it takes appends, stamping them with its leader epoch, serves
/// consumers up to the high watermark, and tracks its followers in a <see cref="LeaderReplicaSet"/>, asking the
/// controller to change the ISR when one falls behind or catches up. As follower it runs a fetch loop against
/// the leader, copying batches as they are, cutting its tail where the leader's epochs say it diverged, and
/// starting over when it fell behind the leader's log start. The controller's <see cref="ApplyAssignment"/>
/// switches roles; an assignment older than the one held (by <see cref="PartitionAssignment.Version"/>) is
/// ignored, and a write or replica fetch for another epoch is refused, so a deposed leader can't write.
/// </para>
/// Reentrant so a long-polling fetch never holds back appends; that is safe because every log operation is
/// synchronous, so calls interleave only between whole operations.
/// </summary>
[BrokerPlacement]
[Reentrant]
[KeepAlive]
internal sealed class PartitionGrain(
    IOptions<HubSiloOptions> options,
    BrokerDirectory brokerDirectory,
    TimeProvider time,
    ILogger<PartitionGrain> logger) : Grain, IInterBrokerPartitionGrain
{
    private const string TopicIdFileName = "partition.metadata";

    /// <summary>Bytes a follower asks for per fetch: Orleans carries calls of this size well (design notes: ≤ 1 MiB).</summary>
    private const int ReplicaFetchMaxBytes = 1024 * 1024;

    /// <summary>
    /// How long a follower's fetch waits at the leader's log end for new batches. New batches answer it at once,
    /// so this only sets the idle cost: one call per follower this often (Kafka's 500 ms would be four times
    /// as many calls, one per partition here rather than one per broker pair). Well under ReplicaLagTimeMax, which
    /// a waiting follower must not look like it exceeds.
    /// </summary>
    private const int ReplicaFetchMaxWaitMs = 2000;

    private static readonly TimeSpan MaxFollowerBackoff = TimeSpan.FromSeconds(1);

    private SegmentLog? _log;
    private HubException? _unavailable;
    private TaskCompletionSource _appended = NewSignal();
    private TaskCompletionSource _committed = NewSignal();
    private string _directory = "";
    private string _topic = "";
    private int _partition;
    private int _brokerId;
    private PartitionAssignment _assignment = null!;
    private TopicConfig _config = TopicConfig.Default;
    private LeaderReplicaSet? _leader;
    private long _followerHighWatermark;
    private bool _following;
    private bool _isrChangeInFlight;

    private bool IsLeader => _leader is not null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_topic, _partition, _brokerId) = PartitionKey.Parse(this.GetPrimaryKeyString());
        _directory = Path.Combine(options.Value.LogsDirectory, $"{_topic}-{_partition}");
        var topic = await GrainFactory.GetGrain<IInterBrokerControllerGrain>(0).GetTopic(_topic);
        var assignment = topic is not null && _partition < topic.PartitionCount ? topic.Partitions[_partition] : null;
        if (topic is null || assignment is null || !assignment.Replicas.Contains(_brokerId))
        {
            _unavailable = new HubException(ErrorCode.UnknownTopicOrPartition,
                topic is null ? $"topic '{_topic}' does not exist" : $"topic '{_topic}' has no partition {_partition} on broker {_brokerId}");
            return;
        }
        _config = topic.Config;
        ClaimDirectory(topic.TopicId);
        _log = SegmentLog.Open(_directory, topic.Config, time, logger);
        _followerHighWatermark = _log.LogStartOffset;
        _assignment = assignment;
        TakeRole();
        StartTimers(topic.Config);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _leader?.Abandon(new HubException(ErrorCode.NotLeaderOrFollower, $"'{this.GetPrimaryKeyString()}' is shutting down"));
        _leader = null;
        _log?.Dispose();
        _log = null;
        Signal(ref _appended);
        Signal(ref _committed);
        return Task.CompletedTask;
    }

    public async Task<AppendResult> Append(PooledBatches batches, short acks = RequiredAcks.All)
    {
        AppendResult result;
        LeaderReplicaSet leader;
        try
        {
            var log = Log();
            leader = Leader();
            if (acks == RequiredAcks.All && leader.Assignment.InSync.Length < _config.MinInSyncReplicas)
                throw new HubException(ErrorCode.NotEnoughReplicas,
                    $"{leader.Assignment.InSync.Length} replica(s) in sync, min.insync.replicas is {_config.MinInSyncReplicas}");
            // The log patches offsets in place: in a buffer deserialized for this call, or, for a call from this
            // silo, in the caller's memory, which IPartitionGrain.Append's contract hands over until the call ends.
            result = log.Append(batches.Writable, leader.Assignment.LeaderEpoch);
            Signal(ref _appended);
            if (leader.AdvanceHighWatermark(log.LogEndOffset)) Signal(ref _committed);
        }
        finally
        {
            // The bytes are on disk (or refused): a buffer rented for this call goes back before any wait.
            batches.Dispose();
        }
        if (acks == RequiredAcks.All) await leader.WaitForHighWatermark(result.LastOffset + 1, options.Value.ReplicationTimeout);
        return result;
    }

    public async Task<FetchResult> Fetch(FetchRequest request)
    {
        if (request.MaxBytes <= 0) throw new HubException(ErrorCode.InvalidFetchSize, $"max bytes must be positive, got {request.MaxBytes}");
        var deadline = Deadline(request.MaxWaitMs);
        while (true)
        {
            var log = Log();
            var highWatermark = Leader().HighWatermark;
            var records = log.Read(request.Offset, request.MaxBytes, highWatermark);
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (records.Length >= Math.Max(1, request.MinBytes) || remaining <= TimeSpan.Zero)
                return new FetchResult(records, highWatermark, log.LogStartOffset);
            records.Dispose(); // read again, with whatever arrives, after the wait
            await WaitFor(_committed, remaining);
        }
    }

    public async Task<ReplicaFetchResult> ReplicaFetch(ReplicaFetchRequest request)
    {
        var log = Log();
        var leader = Leader();
        var epoch = leader.Assignment.LeaderEpoch;
        if (request.LeaderEpoch != epoch)
            throw new HubException(request.LeaderEpoch < epoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch,
                $"follower {request.ReplicaBrokerId} fetches for leader epoch {request.LeaderEpoch}, this leader's is {epoch}");
        if (LogDivergence.Find(log, request) is { } diverged) return diverged;
        if (request.FetchOffset < log.LogStartOffset)
            return new ReplicaFetchResult(PooledBatches.Empty, leader.HighWatermark, log.LogStartOffset);

        leader.FollowerFetched(request.ReplicaBrokerId, request.FetchOffset, log.LogEndOffset);
        if (leader.AdvanceHighWatermark(log.LogEndOffset)) Signal(ref _committed);
        UpdateIsrIfWanted();
        var deadline = Deadline(request.MaxWaitMs);
        while (true)
        {
            log = Log();
            leader = Leader();
            var records = log.Read(request.FetchOffset, request.MaxBytes);
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (!records.IsEmpty || remaining <= TimeSpan.Zero)
                return new ReplicaFetchResult(records, leader.HighWatermark, log.LogStartOffset);
            await WaitFor(_appended, remaining);
        }
    }

    public Task ApplyAssignment(PartitionAssignment assignment)
    {
        if (_log is null || assignment.Version <= _assignment.Version) return Task.CompletedTask;
        if (!assignment.Replicas.Contains(_brokerId))
        {
            // Moved off this broker: the replica stops serving; the controller deletes its files.
            _leader?.Abandon(new HubException(ErrorCode.NotLeaderOrFollower, $"broker {_brokerId} no longer holds this partition"));
            _leader = null;
            _unavailable = new HubException(ErrorCode.NotLeaderOrFollower, $"broker {_brokerId} no longer holds {_topic}-{_partition}");
            _log.Dispose();
            _log = null;
            DeactivateOnIdle();
            return Task.CompletedTask;
        }
        var wasLeaderInEpoch = IsLeader ? _assignment.LeaderEpoch : -1;
        _assignment = assignment;
        if (IsLeader && assignment.Leader == _brokerId && assignment.LeaderEpoch == wasLeaderInEpoch)
        {
            _leader!.Update(assignment);
            if (_leader.AdvanceHighWatermark(_log.LogEndOffset)) Signal(ref _committed);
        }
        else
        {
            TakeRole();
        }
        return Task.CompletedTask;
    }

    public Task<OffsetAndTimestamp> ListOffset(long timestamp)
    {
        var log = Log();
        var leader = Leader();
        if (timestamp == OffsetSpec.Latest) return Task.FromResult(new OffsetAndTimestamp(leader.HighWatermark, -1));
        var found = log.OffsetForTimestamp(timestamp);
        // A record not yet on every in-sync replica isn't there for consumers.
        var byTime = timestamp >= 0 || timestamp == OffsetSpec.MaxTimestamp;
        return Task.FromResult(byTime && found.Offset >= leader.HighWatermark ? new OffsetAndTimestamp(-1, -1) : found);
    }

    public Task<PartitionState> GetState()
    {
        var log = Log();
        var leader = Leader();
        return Task.FromResult(new PartitionState(log.LogStartOffset, log.LogEndOffset, leader.HighWatermark, log.SizeBytes, log.SegmentCount));
    }

    public Task DeleteLog()
    {
        _leader?.Abandon(new HubException(ErrorCode.UnknownTopicOrPartition, $"'{this.GetPrimaryKeyString()}' was deleted"));
        _leader = null;
        _log?.Dispose();
        _log = null;
        SegmentLog.Delete(_directory);
        _unavailable = new HubException(ErrorCode.UnknownTopicOrPartition, $"'{this.GetPrimaryKeyString()}' was deleted");
        // Waiting fetches wake up and get the error.
        Signal(ref _appended);
        Signal(ref _committed);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>Becomes leader or follower as <see cref="_assignment"/> says.</summary>
    private void TakeRole()
    {
        var log = _log!;
        if (_assignment.Leader == _brokerId)
        {
            // A follower's high watermark is what its leader last told it; records above it that this log holds
            // become visible once the followers have them too.
            var highWatermark = IsLeader ? _leader!.HighWatermark : Math.Min(_followerHighWatermark, log.LogEndOffset);
            _leader?.Abandon(new HubException(ErrorCode.NotLeaderOrFollower, "leadership changed"));
            _leader = new LeaderReplicaSet(_brokerId, _assignment, highWatermark, log.LogEndOffset, time, options.Value.ReplicaLagTimeMax);
            if (_leader.AdvanceHighWatermark(log.LogEndOffset)) Signal(ref _committed);
            logger.LogInformation("{Replica} leads in epoch {Epoch} (ISR {Isr}, log end {End})",
                this.GetPrimaryKeyString(), _assignment.LeaderEpoch, string.Join(",", _assignment.InSync), log.LogEndOffset);
            WakeFollowers(_assignment.Replicas);
            return;
        }
        if (_leader is { } previous)
        {
            _followerHighWatermark = previous.HighWatermark;
            previous.Abandon(new HubException(ErrorCode.NotLeaderOrFollower, $"broker {_assignment.Leader} leads {_topic}-{_partition} now"));
            _leader = null;
            Signal(ref _committed);
        }
        if (!_following)
        {
            _following = true;
            FollowAsync().Ignore();
        }
    }

    /// <summary>
    /// The follower's loop: fetch from the leader named by the current assignment and copy what comes back,
    /// until this replica leads or closes. Errors back off and re-read the assignment from the controller, which
    /// is how a follower finds a new leader when the old one's silo died.
    /// </summary>
    private async Task FollowAsync()
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        PartitionAssignment? following = null;
        try
        {
            while (_log is not null && !IsLeader && _assignment.HasLeader)
            {
                var assignment = _assignment;
                if (following?.LeaderEpoch != assignment.LeaderEpoch)
                {
                    logger.LogInformation("{Replica} follows broker {Leader} in epoch {Epoch} from offset {End}",
                        this.GetPrimaryKeyString(), assignment.Leader, assignment.LeaderEpoch, _log.LogEndOffset);
                    following = assignment;
                }
                try
                {
                    var log = _log;
                    var leader = GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(_topic, _partition, assignment.Leader));
                    var result = await leader.ReplicaFetch(new ReplicaFetchRequest(
                        _brokerId, assignment.LeaderEpoch, log.LogEndOffset, log.LatestEpoch, ReplicaFetchMaxBytes, ReplicaFetchMaxWaitMs));
                    using (result.Records)
                    {
                        // The role or the log may have changed while the fetch was out: its answer is then stale.
                        if (_log != log || IsLeader || _assignment != assignment) continue;
                        if (result.Diverged) log.TruncateTo(result.DivergingEndOffset);
                        else if (result.LogStartOffset > log.LogEndOffset) log.ResetTo(result.LogStartOffset);
                        else if (!result.Records.IsEmpty) log.AppendReplicated(result.Records.Span);
                    }
                    _followerHighWatermark = Math.Min(result.HighWatermark, log.LogEndOffset);
                    backoff = TimeSpan.FromMilliseconds(50);
                }
                catch (Exception e) when (_log is not null)
                {
                    var level = backoff == MaxFollowerBackoff ? LogLevel.Warning : LogLevel.Debug;
                    logger.Log(level, "{Replica} failed to fetch from broker {Leader}: {Error}", this.GetPrimaryKeyString(), assignment.Leader, e.Message);
                    await Task.Delay(backoff, time);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxFollowerBackoff.Ticks));
                    await RefreshAssignment();
                }
            }
        }
        finally
        {
            _following = false;
        }
    }

    /// <summary>Reads this partition's assignment from the controller and applies it if it is newer.</summary>
    private async Task RefreshAssignment()
    {
        try
        {
            var topic = await GrainFactory.GetGrain<IInterBrokerControllerGrain>(0).GetTopic(_topic);
            if (topic is not null && _partition < topic.PartitionCount) await ApplyAssignment(topic.Partitions[_partition]);
        }
        catch (Exception e)
        {
            logger.LogDebug("{Replica} could not read its assignment: {Error}", this.GetPrimaryKeyString(), e.Message);
        }
    }

    /// <summary>
    /// Followers fetch only while active: this activates them (a no-op for those already running). The
    /// controller's notices are one-way and can be lost while a silo is joining, so the leader repeats this for
    /// followers out of sync on its ISR timer.
    /// </summary>
    private void WakeFollowers(IEnumerable<int> brokers)
    {
        // Only live ones: a call for a broker that is gone fails placement, and would say so in the log every time.
        var live = brokerDirectory.LiveBrokers();
        foreach (var broker in brokers.Where(b => b != _brokerId && live.Contains(b)))
            GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(_topic, _partition, broker)).ApplyAssignment(_assignment).Ignore();
    }

    private void WakeFollowersOutOfSync()
    {
        if (_leader is { } leader) WakeFollowers(leader.Assignment.Replicas.Where(b => !leader.Assignment.InSync.Contains(b)));
    }

    /// <summary>Asks the controller for the ISR the replica set wants, one request at a time.</summary>
    private void UpdateIsrIfWanted()
    {
        if (_isrChangeInFlight || _leader?.WantedIsr() is not { } isr) return;
        _isrChangeInFlight = true;
        _leader.Propose(isr);
        UpdateIsr(_leader.Assignment, isr).Ignore();
    }

    private async Task UpdateIsr(PartitionAssignment current, int[] isr)
    {
        try
        {
            logger.LogInformation("{Replica} asks to change the ISR from {Old} to {New}", this.GetPrimaryKeyString(),
                string.Join(",", current.InSync), string.Join(",", isr));
            var updated = await GrainFactory.GetGrain<IInterBrokerControllerGrain>(0).AlterIsr(_topic, _partition, _brokerId, current.Version, isr);
            await ApplyAssignment(updated);
        }
        finally
        {
            _isrChangeInFlight = false;
        }
    }

    /// <summary>
    /// The open log, or the reason there is none; such an activation goes away after answering, so a topic
    /// created later is seen by the next activation.
    /// </summary>
    private SegmentLog Log()
    {
        if (_log is not null) return _log;
        DeactivateOnIdle();
        throw _unavailable ?? new HubException(ErrorCode.UnknownTopicOrPartition, "partition is closed");
    }

    private LeaderReplicaSet Leader() => _leader ?? throw new HubException(ErrorCode.NotLeaderOrFollower,
        _assignment.HasLeader
            ? $"broker {_brokerId} does not lead {_topic}-{_partition}; broker {_assignment.Leader} does (epoch {_assignment.LeaderEpoch})"
            : $"{_topic}-{_partition} has no leader: none of its in-sync replicas is alive");

    private long Deadline(int maxWaitMs) => time.GetTimestamp() + (long)(Math.Max(0, maxWaitMs) * (time.TimestampFrequency / 1000.0));

    private async Task WaitFor(TaskCompletionSource signal, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource();
        var task = signal.Task;
        if (await Task.WhenAny(task, Task.Delay(timeout, time, cancel.Token)) == task) cancel.Cancel();
    }

    /// <summary>Wakes everyone waiting on <paramref name="signal"/> and arms a fresh one.</summary>
    private static void Signal(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = NewSignal();
        fired.TrySetResult();
    }

    /// <summary>
    /// A directory left by an older topic of the same name (deleted while this broker was away) holds
    /// someone else's records: wipe it before use. The topic id file says whose data it is, as in Kafka.
    /// </summary>
    private void ClaimDirectory(Guid topicId)
    {
        var idFile = Path.Combine(_directory, TopicIdFileName);
        if (File.Exists(idFile) && File.ReadAllText(idFile).Trim() != topicId.ToString())
        {
            logger.LogWarning("Removing {Directory}: it belongs to a deleted topic of the same name", _directory);
            SegmentLog.Delete(_directory);
        }
        Directory.CreateDirectory(_directory);
        if (!File.Exists(idFile)) File.WriteAllText(idFile, topicId.ToString());
    }

    private void StartTimers(TopicConfig config)
    {
        if (config.FlushMs is > 0 and < long.MaxValue)
        {
            var period = TimeSpan.FromMilliseconds(Math.Clamp(config.FlushMs / 2, 10, 1000));
            this.RegisterGrainTimer(() => { FlushInBackground(); return Task.CompletedTask; },
                new GrainTimerCreationOptions(period, period) { Interleave = true });
        }
        var retention = options.Value.RetentionCheckInterval;
        this.RegisterGrainTimer(() => { _log?.EnforceRetention(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(retention, retention));
        if (_assignment.Replicas.Length > 1)
        {
            var check = options.Value.ReplicaLagTimeMax / 2;
            this.RegisterGrainTimer(() =>
            {
                // A follower that stopped fetching altogether is noticed here, not on a fetch.
                UpdateIsrIfWanted();
                WakeFollowersOutOfSync();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(check, check) { Interleave = true });
        }
    }

    /// <summary>Starts a due fsync without holding this grain's turn, and reports one that fails.</summary>
    private void FlushInBackground()
    {
        _log?.FlushInBackgroundIfDue()?.ContinueWith(
            flush => logger.LogError(flush.Exception!.InnerException, "fsync of {Directory} failed", _directory),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
