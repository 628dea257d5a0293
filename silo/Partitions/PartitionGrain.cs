using Hub.Silo.InterBroker;
using Hub.Silo.Cleaner;
using Hub.Silo.Configuration;
using Hub.Batches;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Log;
using Hub.Silo.Placement;
using Hub.Silo.Replication;
using Hub.Topics;
using Hub.Transactions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Hub.Silo.Partitions;

/// <summary>
/// One partition replica: owns its segment log on this broker's disk. Kept alive (reopening a log means a
/// recovery scan) and pinned to its broker by <see cref="BrokerPlacementAttribute"/>.
/// <para>
/// As leader (the assignment names this broker) it takes appends, stamping them with its leader epoch, serves
/// consumers up to the high watermark, and tracks its followers in a <see cref="LeaderReplicaSet"/>; an
/// <see cref="IsrChangeProposer"/> asks the controller to change the ISR when one falls behind or catches up, and
/// acks=all appends wait in <see cref="AcksAllWaiters"/>. As follower a <see cref="ReplicaFollower"/> copies
/// the leader's log. The controller's <see cref="ApplyAssignment"/> switches roles; an assignment not newer than the
/// one held (<see cref="AssignmentOrder"/>: by version, never back in epoch) is ignored, and a write or replica fetch for another
/// epoch is refused, so a deposed leader can't write. This grain is the shell around them: activation, the
/// log's opening, timers and grain calls.
/// </para>
/// <para>
/// When this broker's <see cref="LogDirectory"/> goes offline (an I/O error in any log) the replica goes offline with
/// it: acks=all appends waiting fail with KAFKA_STORAGE_ERROR, a follower stops fetching, and every call is
/// refused with KAFKA_STORAGE_ERROR until the silo restarts; the controller moves leadership elsewhere.
/// </para>
/// Reentrant so a long-polling fetch never holds back appends; that is safe because every log operation is
/// synchronous, so calls interleave only between whole operations.
/// </summary>
[BrokerPlacement]
[Reentrant]
[KeepAlive]
internal sealed partial class PartitionGrain(
    IOptions<HubSiloOptions> options,
    BrokerDirectory brokerDirectory,
    LogDirectory logDirectory,
    AppendPreparation appendPreparation,
    LogCleaner cleaner,
    TimeProvider time,
    ILogger<PartitionGrain> logger) : Grain, IInterBrokerPartitionGrain, ICleanableReplica
{
    private SegmentLog? _log;
    private readonly CancellationTokenSource _deactivating = new();
    private HubException? _unavailable;
    private TaskCompletionSource _appended = NewSignal();
    private TaskCompletionSource _committed = NewSignal();
    private readonly ReorderedAppends _reorderedAppends = new(time);
    private string _directory = "";
    private string _topic = "";
    private int _partition;
    private int _brokerId;
    private PartitionAssignment _assignment = null!;
    private TopicConfig _config = TopicConfig.Default;
    private int _configVersion;
    private IGrainTimer? _flushTimer;

    // While leading, all three (one leadership's); while following, the follower.
    private LeaderReplicaSet? _leader;
    private IsrChangeProposer? _isrChanges;
    private AcksAllWaiters? _acksAll;
    private ReplicaFollower? _follower;

    private bool IsLeader => _leader is not null;

    private string Replica => this.GetPrimaryKeyString();

    SegmentLog? ICleanableReplica.Log => _log;

    TopicConfig ICleanableReplica.Config => _config;

    /// <summary>The last stable offset below the high watermark (a follower's as its leader last said): Kafka cleans no further.</summary>
    long ICleanableReplica.StableOffset => _log?.LastStableOffset(_leader?.HighWatermark ?? _follower?.HighWatermark ?? 0) ?? 0;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_topic, _partition, _brokerId) = PartitionKey.Parse(this.GetPrimaryKeyString());
        _directory = Path.Combine(logDirectory.Path, $"{_topic}-{_partition}");
        if (logDirectory.IsOffline)
        {
            _unavailable = logDirectory.StorageError(Replica);
            return;
        }
        var topic = await GrainFactory.GetGrain<IInterBrokerControllerGrain>(0).GetTopic(_topic);
        var assignment = topic is not null && _partition < topic.PartitionCount ? topic.Partitions[_partition] : null;
        if (topic is null || assignment is null || !assignment.Replicas.Contains(_brokerId))
        {
            _unavailable = new HubException(ErrorCode.UnknownTopicOrPartition,
                topic is null ? $"topic '{_topic}' does not exist" : $"topic '{_topic}' has no partition {_partition} on broker {_brokerId}");
            return;
        }
        _config = topic.Config;
        _configVersion = topic.ConfigVersion;
        try
        {
            PartitionMetadataFile.Claim(_directory, topic.TopicId, logDirectory.Io, logger);
            _log = SegmentLog.Open(_directory, topic.Config, time, logger, options.Value.ProducerIdExpiration, logDirectory.Io);
        }
        catch (IOException) when (logDirectory.IsOffline)
        {
            _unavailable = logDirectory.StorageError(Replica);
            return;
        }
        _assignment = assignment;
        TakeRole();
        StartTimers();
        GoOfflineWithDirectory().Ignore();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        CloseLog(new HubException(ErrorCode.NotLeaderOrFollower, $"'{Replica}' is shutting down"));
        WakeWaitingFetches();
        return Task.CompletedTask;
    }

    public async Task<AppendResult> Append(PooledBatches batches, short acks = RequiredAcks.All)
    {
        AppendResult result;
        LeaderReplicaSet leader;
        AcksAllWaiters acksAll;
        Task? overdueFlush;
        ReorderedAppends.Wait? reordered = null;
        AppendPreparation.Prepared prepared = default;
        try
        {
            // Decompressing and rewriting happen off this grain's turn (the grain is reentrant), not in the log's append below.
            Log();
            Leader(); // a replica that would refuse the append refuses it before the work
            prepared = await appendPreparation.PrepareAsync(batches.Memory, _config, time.GetUtcNow().ToUnixTimeMilliseconds());
            var toStore = prepared.Rewritten?.WrittenMemory ?? batches.Writable;
            SegmentLog log;
            while (true)
            {
                // Everything is looked at again after a wait: the role, the epoch or the ISR may have changed.
                log = Log();
                leader = Leader();
                acksAll = _acksAll!;
                if (acks == RequiredAcks.All) acksAll.RefuseBelowMinInSync();
                try
                {
                    // The log patches offsets in place: in a buffer deserialized for this call, or, for a call from this
                    // silo, in the caller's memory, which IPartitionGrain.Append's contract hands over until the call ends.
                    result = log.Append(toStore, leader.Assignment.LeaderEpoch, prepared.CompressedRecordsChecked);
                    break;
                }
                catch (HubException e) when (e.Code == ErrorCode.OutOfOrderSequenceNumber && log.AwaitsEarlierBatches(toStore.Span))
                {
                    reordered ??= _reorderedAppends.Start();
                    if (reordered is not { Remaining.Ticks: > 0 })
                        throw ReorderedAppends.Refusal(e, log.FollowsBatchesOfAnEarlierLeader(toStore.Span, leader.Assignment.LeaderEpoch),
                            time.GetElapsedTime(leader.LeadingSince), log.SinceProducerAppended(toStore.Span));
                }
                await WaitFor(_appended, reordered.Remaining);
            }
            Signal(ref _appended);
            AdvanceHighWatermark();
            overdueFlush = log.OverdueFlush();
        }
        catch (Exception) when (logDirectory.IsOffline)
        {
            throw GoOffline();
        }
        finally
        {
            // The bytes are on disk (or refused): a buffer rented for this call goes back before any wait for acks.
            reordered?.Dispose();
            prepared.Rewritten?.Dispose();
            batches.Dispose();
        }
        if (overdueFlush is not null) await WaitForOverdueFlush(overdueFlush);
        if (acks == RequiredAcks.All) await acksAll.WaitFor(result.LastOffset + 1, leader.HighWatermark);
        return result;
    }

    public async Task WriteTxnMarker(long producerId, short producerEpoch, TransactionResult result, int coordinatorEpoch)
    {
        AppendResult appended;
        LeaderReplicaSet leader;
        AcksAllWaiters acksAll;
        Task? overdueFlush;
        try
        {
            var log = Log();
            leader = Leader();
            acksAll = _acksAll!;
            acksAll.RefuseBelowMinInSync();
            appended = log.AppendMarker(producerId, producerEpoch, result, coordinatorEpoch, leader.Assignment.LeaderEpoch);
            Signal(ref _appended);
            AdvanceHighWatermark();
            overdueFlush = log.OverdueFlush();
        }
        catch (Exception) when (logDirectory.IsOffline)
        {
            throw GoOffline();
        }
        if (overdueFlush is not null) await WaitForOverdueFlush(overdueFlush);
        await acksAll.WaitFor(appended.LastOffset + 1, leader.HighWatermark);
    }

    public async Task<FetchResult> Fetch(FetchRequest request)
    {
        if (request.MaxBytes < 0 || (request.MaxBytes == 0 && request.WholeFirstBatch))
            throw new HubException(ErrorCode.InvalidFetchSize, $"max bytes must be positive, got {request.MaxBytes}");
        var deadline = Deadline(request.MaxWaitMs);
        while (true)
        {
            var log = Log();
            var highWatermark = Leader(request.CurrentLeaderEpoch).HighWatermark;
            var lastStableOffset = log.LastStableOffset(highWatermark);
            var readEnd = ConsumerReadEnd.For(request.IsolationLevel, highWatermark, lastStableOffset);
            var records = log.Read(request.Offset, request.MaxBytes, readEnd, request.WholeFirstBatch);
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            // Readable records that didn't fit won't fit after a wait either.
            var withheld = records.IsEmpty && request.Offset < readEnd;
            if (records.Length >= Math.Max(1, request.MinBytes) || withheld || remaining <= TimeSpan.Zero)
            {
                return new FetchResult(records, highWatermark, log.LogStartOffset)
                {
                    LastStableOffset = lastStableOffset,
                    AbortedTransactions = request.IsolationLevel == IsolationLevel.ReadCommitted && !records.IsEmpty
                        ? log.AbortedTransactions(request.Offset, EndOf(records))
                        : [],
                };
            }
            records.Dispose(); // read again, with whatever arrives, after the wait
            await WaitFor(_committed, remaining);
        }
    }

    public async Task<ReplicaFetchResult> ReplicaFetch(ReplicaFetchRequest request)
    {
        var log = Log();
        var leader = Leader(request.LeaderEpoch);
        if (LogDivergence.Find(log, request) is { } diverged) return diverged;
        if (request.FetchOffset < log.LogStartOffset)
            return new ReplicaFetchResult(PooledBatches.Empty, leader.HighWatermark, log.LogStartOffset);

        leader.FollowerFetched(request.ReplicaBrokerId, request.FetchOffset, log.LogEndOffset);
        AdvanceHighWatermark();
        _isrChanges!.ProposeIfWanted().Ignore();
        var deadline = Deadline(request.MaxWaitMs);
        while (true)
        {
            log = Log();
            leader = Leader(request.LeaderEpoch);
            var records = log.Read(request.FetchOffset, request.MaxBytes);
            var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (!records.IsEmpty || remaining <= TimeSpan.Zero)
                return new ReplicaFetchResult(records, leader.HighWatermark, log.LogStartOffset);
            await WaitFor(_appended, remaining);
        }
    }

    public Task ApplyAssignment(PartitionAssignment assignment)
    {
        if (_log is null || !AssignmentOrder.Supersedes(assignment, _assignment)) return Task.CompletedTask;
        if (!assignment.Replicas.Contains(_brokerId))
        {
            // Moved off this broker: the replica stops serving; the controller deletes its files.
            CloseLog(new HubException(ErrorCode.NotLeaderOrFollower, $"broker {_brokerId} no longer holds this partition"));
            _unavailable = new HubException(ErrorCode.NotLeaderOrFollower, $"broker {_brokerId} no longer holds {_topic}-{_partition}");
            WakeWaitingFetches();
            DeactivateOnIdle();
            return Task.CompletedTask;
        }
        var wasLeaderInEpoch = IsLeader ? _assignment.LeaderEpoch : -1;
        _assignment = assignment;
        if (IsLeader && assignment.Leader == _brokerId && assignment.LeaderEpoch == wasLeaderInEpoch)
        {
            _leader!.Update(assignment);
            AdvanceHighWatermark();
        }
        else
        {
            TakeRole();
        }
        return Task.CompletedTask;
    }

    public Task ApplyConfig(TopicConfig config, int version)
    {
        if (_log is null || version <= _configVersion) return Task.CompletedTask;
        var previous = _config;
        _config = config;
        _configVersion = version;
        _log.UpdateConfig(config);
        // Waiting acks=all appends are judged by the new value when the high watermark passes them, as in Kafka.
        _acksAll?.MinInSyncReplicas = config.MinInSyncReplicas;
        if (config.FlushMs != previous.FlushMs) StartFlushTimer();
        // Lowered retention deletes now rather than at the next periodic pass.
        if (config.RetentionMs != previous.RetentionMs || config.RetentionBytes != previous.RetentionBytes) _log.EnforceRetention();
        LogConfigApplied(Replica, version);
        return Task.CompletedTask;
    }

    public Task<OffsetAndTimestamp> ListOffset(long timestamp, int currentLeaderEpoch = CurrentLeaderEpoch.Unchecked,
        IsolationLevel isolationLevel = IsolationLevel.ReadCommitted)
    {
        var log = Log();
        var highWatermark = Leader(currentLeaderEpoch).HighWatermark;
        var end = ConsumerReadEnd.For(isolationLevel, highWatermark, log.LastStableOffset(highWatermark));
        if (timestamp == OffsetSpec.Latest) return Task.FromResult(new OffsetAndTimestamp(end, -1));
        var found = log.OffsetForTimestamp(timestamp);
        // A record a fetch at this level would not return (not yet on every in-sync replica) isn't there for consumers.
        var byTime = timestamp >= 0 || timestamp == OffsetSpec.MaxTimestamp;
        return Task.FromResult(byTime && found.Offset >= end ? new OffsetAndTimestamp(-1, -1) : found);
    }

    public Task<EpochEndOffset> EndOffsetForEpoch(int leaderEpoch, int currentLeaderEpoch)
    {
        var log = Log();
        var leader = Leader(currentLeaderEpoch);
        return Task.FromResult(LogDivergence.EndOfEpoch(log, leader.Assignment.LeaderEpoch, leaderEpoch));
    }

    public Task<PartitionState> GetState()
    {
        var log = Log();
        var leader = Leader();
        return Task.FromResult(new PartitionState(log.LogStartOffset, log.LogEndOffset, leader.HighWatermark, log.SizeBytes, log.SegmentCount, log.CleanedUpTo));
    }

    public Task<long> DeleteRecords(long offset)
    {
        var log = Log();
        var highWatermark = Leader().HighWatermark;
        if (offset == DeleteRecordsOffsets.HighWatermark) offset = highWatermark;
        if (offset < 0 || offset > highWatermark)
            throw new HubException(ErrorCode.OffsetOutOfRange, $"{Replica}: cannot delete records before {offset}: the high watermark is {highWatermark}");
        try
        {
            return Task.FromResult(log.DeleteRecordsBefore(offset));
        }
        catch (IOException) when (logDirectory.IsOffline)
        {
            throw logDirectory.StorageError(Replica);
        }
    }

    public Task<ActiveProducer[]> DescribeProducers()
    {
        var log = Log();
        Leader(); // as Kafka, only the leader answers: a follower's state may lag
        return Task.FromResult(log.ActiveProducers());
    }

    public Task DeleteLog()
    {
        CloseLog(new HubException(ErrorCode.UnknownTopicOrPartition, $"'{Replica}' was deleted"));
        // An offline directory is not touched: the restarted silo's activation finds the topic gone and wipes it.
        if (!logDirectory.IsOffline) SegmentLog.Delete(_directory, logDirectory.Io);
        _unavailable = new HubException(ErrorCode.UnknownTopicOrPartition, $"'{Replica}' was deleted");
        WakeWaitingFetches();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>Becomes leader or follower as <see cref="_assignment"/> says.</summary>
    private void TakeRole()
    {
        var log = _log!;
        WakeWaitingFetches();
        if (_assignment.Leader == _brokerId)
        {
            // A follower's high watermark is what its leader last told it; records above it that this log holds
            // become visible once the followers have them too.
            var highWatermark = _leader?.HighWatermark ?? Math.Min(_follower?.HighWatermark ?? log.LogStartOffset, log.LogEndOffset);
            StepDown(new HubException(ErrorCode.NotLeaderOrFollower, "leadership changed"));
            _follower?.Stop();
            _follower = null;
            _leader = new LeaderReplicaSet(_brokerId, _assignment, highWatermark, time);
            _isrChanges = new IsrChangeProposer(_leader, log.LogEndOffset, options.Value.ReplicaLagTimeMax, time, AlterIsr, ApplyAssignment, logger, Replica);
            _acksAll = new AcksAllWaiters(_config.MinInSyncReplicas, options.Value.ReplicationTimeout, time, _assignment);
            AdvanceHighWatermark();
            LogLeading(Replica, _assignment.LeaderEpoch, _assignment.InSync, log.LogEndOffset);
            WakeFollowers(_assignment.Replicas);
            return;
        }
        if (_leader is { } previous)
        {
            StepDown(new HubException(ErrorCode.NotLeaderOrFollower, $"broker {_assignment.Leader} leads {_topic}-{_partition} now"));
            _follower = NewFollower(previous.HighWatermark);
        }
        _follower ??= NewFollower(log.LogStartOffset);
        _follower.Follow(_assignment);
    }

    private ReplicaFollower NewFollower(long highWatermark) => new(_brokerId, _log!, _assignment, highWatermark,
        (leader, request) => GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(_topic, _partition, leader)).ReplicaFetch(request),
        RefreshAssignment, time, logger, Replica);

    private Task<PartitionAssignment> AlterIsr(int basedOnVersion, int[] isr) =>
        GrainFactory.GetGrain<IInterBrokerControllerGrain>(0).AlterIsr(_topic, _partition, _brokerId, basedOnVersion, isr);

    /// <summary>Ends this replica's leadership, if it leads: its acks=all appends fail with <paramref name="reason"/>.</summary>
    private void StepDown(HubException reason)
    {
        _acksAll?.Abandon(reason);
        _leader = null;
        _isrChanges = null;
        _acksAll = null;
    }

    /// <summary>Ends either role and closes the log (flushed, unless its directory is offline); the replica serves nothing after this.</summary>
    private void CloseLog(HubException reason)
    {
        StepDown(reason);
        _follower?.Stop();
        _follower = null;
        if (logDirectory.IsOffline) _log?.Close();
        else _log?.Dispose();
        _log = null;
    }

    /// <summary>Back-pressure: an append waits for its log's overdue fsync (see <see cref="SegmentLog.OverdueFlush"/>); one that fails is KAFKA_STORAGE_ERROR.</summary>
    private async Task WaitForOverdueFlush(Task flush)
    {
        try
        {
            await flush;
        }
        catch (Exception) when (logDirectory.IsOffline)
        {
            throw GoOffline();
        }
    }

    /// <summary>Takes this replica offline once its log directory is (the await resumes in this activation), unless it deactivates first.</summary>
    private async Task GoOfflineWithDirectory()
    {
        await logDirectory.Offline.WaitAsync(_deactivating.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (logDirectory.IsOffline) GoOffline();
    }

    /// <summary>
    /// The log directory is offline: fails the waiting acks=all appends and fetches, stops following, closes the log
    /// without writing, and refuses every call from now on. Returns the error it answers with.
    /// </summary>
    private HubException GoOffline()
    {
        var error = logDirectory.StorageError(Replica);
        if (_log is null) return _unavailable ?? error;
        CloseLog(error);
        _unavailable = error;
        Signal(ref _appended);
        Signal(ref _committed);
        LogOffline(Replica);
        return error;
    }

    /// <summary>
    /// Moves the leader's high watermark to what the in-sync replicas hold; wakes the consumers and acks=all
    /// appends it passed. Called after every append, follower fetch and assignment change while leading.
    /// </summary>
    private void AdvanceHighWatermark()
    {
        if (_leader is not { } leader) return;
        var moved = leader.AdvanceHighWatermark(_log!.LogEndOffset);
        _acksAll!.Release(leader.HighWatermark, leader.Assignment);
        if (moved) Signal(ref _committed);
    }

    /// <summary>Reads this partition's assignment from the controller and applies it if it is newer.</summary>
    private async Task RefreshAssignment()
    {
        try
        {
            var topic = await GrainFactory.GetGrain<IInterBrokerControllerGrain>(0).GetTopic(_topic);
            if (topic is null || _partition >= topic.PartitionCount) return;
            await ApplyConfig(topic.Config, topic.ConfigVersion); // in case the controller's notice of a change was lost
            await ApplyAssignment(topic.Partitions[_partition]);
        }
        catch (Exception e)
        {
            LogAssignmentUnread(Replica, e.Message);
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

    /// <summary>
    /// The open log, or the reason there is none; such an activation goes away after answering, so a topic
    /// created later is seen by the next activation. On an offline log directory it stays: until the silo restarts
    /// every call gets KAFKA_STORAGE_ERROR from it, where calls caught by a deactivation would be bounced by Orleans.
    /// </summary>
    private SegmentLog Log()
    {
        if (_log is not null && logDirectory.IsOffline) GoOffline();
        if (_log is not null) return _log;
        if (!logDirectory.IsOffline) DeactivateOnIdle();
        throw _unavailable ?? new HubException(ErrorCode.UnknownTopicOrPartition, "partition is closed");
    }

    /// <summary><see cref="Leader()"/>, for a caller naming the leader epoch it believes current (see <see cref="CurrentLeaderEpoch"/>).</summary>
    private LeaderReplicaSet Leader(int currentLeaderEpoch)
    {
        CurrentLeaderEpoch.Check(currentLeaderEpoch, _assignment.LeaderEpoch, $"a request to {Replica}");
        return Leader();
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

    /// <summary>
    /// Wakes every waiting fetch, consumers' and followers', when the role, the leader epoch or the log changes: each
    /// looks again and, no longer served here in the epoch it was asked for, ends at once with its error
    /// (NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, ...) instead of waiting out its max wait, so its sender moves on.
    /// </summary>
    private void WakeWaitingFetches()
    {
        Signal(ref _appended);
        Signal(ref _committed);
    }

    /// <summary>Wakes everyone waiting on <paramref name="signal"/> and arms a fresh one.</summary>
    private static void Signal(ref TaskCompletionSource signal)
    {
        var fired = signal;
        signal = NewSignal();
        fired.TrySetResult();
    }

    private void StartTimers()
    {
        StartFlushTimer();
        var retention = options.Value.RetentionCheckInterval;
        this.RegisterGrainTimer(() => { _log?.EnforceRetention(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(retention, retention));
        // Every replica compacts its own log; the cleaner's wait and rewrite happen off this grain's turn.
        this.RegisterGrainTimer(() => cleaner.CleanIfDueAsync(this, _deactivating.Token),
            new GrainTimerCreationOptions(cleaner.Backoff, cleaner.Backoff) { Interleave = true });
        var producerExpiry = options.Value.ProducerIdExpirationCheckInterval;
        this.RegisterGrainTimer(() => { _log?.RemoveExpiredProducers(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(producerExpiry, producerExpiry));
        if (_assignment.Replicas.Length > 1)
        {
            var check = options.Value.ReplicaLagTimeMax / 2;
            this.RegisterGrainTimer(() =>
            {
                // A follower that stopped fetching altogether is noticed here, not on a fetch.
                _isrChanges?.ProposeIfWanted().Ignore();
                WakeFollowersOutOfSync();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(check, check) { Interleave = true });
        }
    }

    /// <summary>(Re)starts the timer that fsyncs by age, at half of flush.ms; none when flush.ms is 0 (every batch) or never.</summary>
    private void StartFlushTimer()
    {
        _flushTimer?.Dispose();
        _flushTimer = null;
        if (_config.FlushMs is not (> 0 and < long.MaxValue)) return;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_config.FlushMs / 2, 10, 1000));
        _flushTimer = this.RegisterGrainTimer(() => { FlushInBackground(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(period, period) { Interleave = true });
    }

    /// <summary>
    /// Starts a due fsync without holding this grain's turn. One that fails took the log directory offline (see
    /// <see cref="LogDirectory"/>, which logs it), and this replica with it.
    /// </summary>
    private void FlushInBackground() => _log?.FlushInBackgroundIfDue()?.Ignore();

    /// <summary>The offset after the last batch in <paramref name="records"/>.</summary>
    private static long EndOf(PooledBatches records)
    {
        var span = records.Span;
        long end = -1;
        for (var position = 0; RecordBatchHeader.TryRead(span[position..], out var header) && header.TotalSize <= span.Length - position; position += header.TotalSize)
            end = header.LastOffset + 1;
        return end;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Replica} leads in epoch {Epoch} (ISR {Isr}, log end {End})")]
    private partial void LogLeading(string replica, int epoch, int[] isr, long end);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Replica} applies its topic's configs of version {Version}")]
    private partial void LogConfigApplied(string replica, int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Replica} could not read its assignment: {Error}")]
    private partial void LogAssignmentUnread(string replica, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Replica} is offline: its log directory failed")]
    private partial void LogOffline(string replica);
}
