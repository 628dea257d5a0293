using System.Runtime.CompilerServices;
using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;

namespace Hub.Client;

/// <summary>
/// A member of a consumer group (Kafka's subscribe()): the group shares the topics' partitions among its
/// members, and each member reads only its own. A background loop joins the group, heartbeats, rejoins on
/// rebalances, moves this member's partition fetchers to its new assignment and, with auto-commit, commits.
/// Records come from <see cref="ConsumeAsync"/>, in offset order within each partition.
/// <para>
/// At least once: a partition changes hands only after its old owner committed its position (eager
/// assignors: every member releases everything before rejoining; cooperative-sticky: only the moving
/// partitions, one rebalance early) or was removed from the group (its session expired: then the new owner
/// starts at the last commit, so records after it are read again, never skipped).
/// </para>
/// </summary>
public sealed partial class HubGroupConsumer : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    private readonly IConsumerGroupGrain _group;
    private readonly PartitionRouter _router;
    private readonly GroupConsumerOptions _options;
    private readonly HubConsumer _fetchers;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _failed = new();
    private readonly Lock _lock = new();
    private readonly string _host = Environment.MachineName;
    private readonly Task _loop;

    /// <summary>The partitions this member reads, with their positions; replaced (never changed) under <see cref="_lock"/>.</summary>
    private Dictionary<TopicPartition, PartitionProgress> _owned = [];

    /// <summary>The last assignment received, reported to the assignor so a sticky one can keep it.</summary>
    private IReadOnlyList<TopicPartition> _lastAssignment = [];

    /// <summary>Partition counts of the topics when this member last joined; a change makes it rejoin (Kafka's metadata-change rebalance).</summary>
    private Dictionary<string, int> _joinedPartitionCounts = [];

    /// <summary>When auto-commit is next due (TimeProvider.System ticks), for the membership loop.</summary>
    private long _nextAutoCommit;

    private string _memberId = "";
    private int _generation = OffsetCommitRequest.NoGeneration;
    private Exception? _error;
    private int _disposed;

    internal HubGroupConsumer(IGrainFactory grains, PartitionRouter router, GroupConsumerOptions options)
    {
        _options = options.Validated();
        _router = router;
        _group = grains.GetGrain<IConsumerGroupGrain>(_options.GroupId);
        _fetchers = new HubConsumer(router, _options.Fetch);
        _loop = Task.Run(RunAsync);
    }

    public string GroupId => _options.GroupId;

    /// <summary>The static membership id (group.instance.id), if it has one.</summary>
    public string? GroupInstanceId => _options.GroupInstanceId;

    /// <summary>This member's id in the group; empty until it has joined.</summary>
    public string MemberId => Volatile.Read(ref _memberId);

    /// <summary>The generation this member's assignment belongs to; -1 while it isn't a member.</summary>
    public int GenerationId => Volatile.Read(ref _generation);

    /// <summary>The partitions this member reads now.</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => Volatile.Read(ref _owned).Keys.Order().ToArray();

    /// <summary>
    /// Records of this member's partitions, as they are assigned and revoked. Runs until <paramref name="ct"/>
    /// is cancelled or the consumer is disposed; throws when the consumer can't go on (an unknown topic, no
    /// committed offset with <see cref="AutoOffsetReset.None"/>, a newer member took this one's
    /// group.instance.id) or a partition can't be read. Moving on to the next record marks the previous one
    /// processed, which is what auto-commit stores. One enumeration at a time.
    /// </summary>
    public async IAsyncEnumerable<ConsumeResult> ConsumeAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        ThrowIfFailed();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _failed.Token);
        await using var records = _fetchers.ConsumeAsync(linked.Token).GetAsyncEnumerator(linked.Token);
        while (true)
        {
            bool more;
            try
            {
                more = await records.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_failed.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw _error!;
            }
            if (!more) yield break;
            var result = records.Current;
            // A partition revoked after its batch was taken: its records are no longer this member's to handle.
            if (!Volatile.Read(ref _owned).TryGetValue(new TopicPartition(result.Topic, result.Partition), out var progress)) continue;
            var next = result.Record.Offset + 1;
            progress.Consumed = next;
            yield return result;
            progress.Processed = next; // the caller asked for another record: it is done with this one
        }
    }

    /// <summary>
    /// Commits the position after every record <see cref="ConsumeAsync"/> has returned (the one in hand
    /// included) for each partition this member reads, and waits until it is durable. Throws
    /// <see cref="HubException"/>: RebalanceInProgress while the member is (re)joining, IllegalGeneration or
    /// UnknownMemberId when it is no longer part of the current generation.
    /// </summary>
    public Task CommitAsync(CancellationToken ct = default) =>
        CommitPositionsAsync(p => p.Consumed, ct);

    /// <summary>Commits the given offsets (the next offset to read in each partition) as given.</summary>
    public async Task CommitAsync(IEnumerable<OffsetCommitEntry> offsets, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var entries = offsets.ToArray();
        await CommitEntriesAsync(entries, ct).ConfigureAwait(false);
        var owned = Volatile.Read(ref _owned);
        foreach (var entry in entries)
        {
            if (owned.TryGetValue(new TopicPartition(entry.Topic, entry.Partition), out var progress)) progress.Committed = entry.Offset;
        }
    }

    /// <summary>
    /// Stops the member: with auto-commit, commits what was processed; leaves the group (unless static), so
    /// its partitions go to the others at once rather than after the session timeout; stops fetching, which
    /// ends a running <see cref="ConsumeAsync"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopLoopAsync().ConfigureAwait(false);
        await _fetchers.DisposeAsync().ConfigureAwait(false);
        if (_options.EnableAutoCommit) await TryCommitProcessedAsync(CancellationToken.None).ConfigureAwait(false);
        if (MemberId.Length > 0)
        {
            try
            {
                if (_options.Protocol == GroupMembershipProtocol.Consumer) await LeaveConsumerGroupAsync().ConfigureAwait(false);
                else if (_options.GroupInstanceId is null) await _group.LeaveGroup([new LeaveGroupMember(MemberId)], "the consumer is closing").ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Leaving is a courtesy: otherwise the session timeout removes the member.
            }
        }
    }

    /// <summary>
    /// Stops as a crashed process would: no commit, no LeaveGroup; the group removes the member when its
    /// session times out. For tests.
    /// </summary>
    internal async Task AbandonAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopLoopAsync().ConfigureAwait(false);
        await _fetchers.DisposeAsync().ConfigureAwait(false);
    }

    // ───────────────────────────── The membership loop ─────────────────────────────

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            if (_options.Protocol == GroupMembershipProtocol.Consumer) await RunConsumerProtocolAsync(ct).ConfigureAwait(false);
            else await RunClassicAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _error = e;
            await _failed.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits until <paramref name="due"/> (TimeProvider.System ticks), auto-committing whenever its interval comes round meanwhile.</summary>
    private async Task WaitAutoCommittingAsync(long due, CancellationToken ct)
    {
        var time = TimeProvider.System;
        while (true)
        {
            var now = time.GetTimestamp();
            if (_options.EnableAutoCommit && now >= _nextAutoCommit)
            {
                _nextAutoCommit = now + Ticks(_options.AutoCommitInterval);
                await TryCommitProcessedAsync(ct).ConfigureAwait(false);
            }
            if (now >= due) return;
            var wake = _options.EnableAutoCommit ? Math.Min(due, _nextAutoCommit) : due;
            var wait = time.GetElapsedTime(time.GetTimestamp(), wake);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Starts reading newly assigned partitions and stops revoked ones; true when any were revoked.</summary>
    private async Task<bool> TakeAssignmentAsync(IReadOnlyList<TopicPartition> assignment, CancellationToken ct)
    {
        var assigned = assignment.ToHashSet();
        var owned = Volatile.Read(ref _owned);
        var revoked = owned.Keys.Where(p => !assigned.Contains(p)).ToList();
        var added = assigned.Where(p => !owned.ContainsKey(p)).Order().ToList();
        if (revoked.Count > 0) await RevokeAsync(revoked, ct).ConfigureAwait(false);
        if (added.Count > 0) await StartPartitionsAsync(added, ct).ConfigureAwait(false);
        _lastAssignment = assignment;
        if (added.Count > 0 && _options.PartitionsAssigned is { } assignedCallback) await assignedCallback(added).ConfigureAwait(false);
        return revoked.Count > 0;
    }

    /// <summary>Resolves where each partition starts (committed offset, else the reset policy) and starts fetching it.</summary>
    private async Task StartPartitionsAsync(List<TopicPartition> partitions, CancellationToken ct)
    {
        var committed = await _group.FetchOffsets([.. partitions]).WaitAsync(ct).ConfigureAwait(false);
        var starts = await Task.WhenAll(committed.Select(c => StartOffsetAsync(c, ct))).ConfigureAwait(false);
        for (var i = 0; i < partitions.Count; i++)
        {
            var partition = partitions[i];
            var progress = new PartitionProgress(starts[i], committed[i].Exists ? committed[i].Offset : CommittedOffset.None);
            lock (_lock) _owned = new Dictionary<TopicPartition, PartitionProgress>(_owned) { [partition] = progress };
            await _fetchers.AssignAsync(partition.Topic, partition.Partition, starts[i], ct).ConfigureAwait(false);
        }
    }

    private async Task<long> StartOffsetAsync(CommittedOffset committed, CancellationToken ct)
    {
        var state = await _router.InvokeAsync(committed.Topic, committed.Partition, grain => grain.GetState(), ct).ConfigureAwait(false);
        if (committed.Exists && committed.Offset >= state.LogStartOffset && committed.Offset <= state.HighWatermark) return committed.Offset;
        return _options.AutoOffsetReset switch
        {
            AutoOffsetReset.Earliest => state.LogStartOffset,
            AutoOffsetReset.Latest => state.HighWatermark,
            _ => throw new HubException(ErrorCode.OffsetOutOfRange, committed.Exists
                ? $"group '{GroupId}' committed offset {committed.Offset} for {committed.Topic}/{committed.Partition}, outside the log " +
                  $"[{state.LogStartOffset}, {state.HighWatermark}], and AutoOffsetReset is None"
                : $"group '{GroupId}' has no committed offset for {committed.Topic}/{committed.Partition} and AutoOffsetReset is None"),
        };
    }

    /// <summary>Stops reading the partitions; with auto-commit, stores how far they were processed first.</summary>
    private async Task RevokeAsync(List<TopicPartition> partitions, CancellationToken ct)
    {
        if (partitions.Count == 0) return;
        await Task.WhenAll(partitions.Select(p => _fetchers.UnassignAsync(p.Topic, p.Partition))).ConfigureAwait(false);
        if (_options.PartitionsRevoked is { } revokedCallback) await revokedCallback(partitions).ConfigureAwait(false);
        if (_options.EnableAutoCommit) await TryCommitProcessedAsync(ct, partitions).ConfigureAwait(false);
        Release(partitions);
    }

    /// <summary>The group no longer counts this member (its session expired, or a new generation passed it by): drop everything uncommitted.</summary>
    private async Task LoseMembershipAsync(bool forgetMemberId)
    {
        var lost = Volatile.Read(ref _owned).Keys.ToList();
        Volatile.Write(ref _generation, OffsetCommitRequest.NoGeneration);
        if (forgetMemberId) Volatile.Write(ref _memberId, "");
        _lastAssignment = [];
        await Task.WhenAll(lost.Select(p => _fetchers.UnassignAsync(p.Topic, p.Partition))).ConfigureAwait(false);
        Release(lost);
        if (lost.Count > 0 && _options.PartitionsRevoked is { } revokedCallback) await revokedCallback(lost).ConfigureAwait(false);
    }

    private void Release(List<TopicPartition> partitions)
    {
        lock (_lock)
        {
            var remaining = new Dictionary<TopicPartition, PartitionProgress>(_owned);
            foreach (var partition in partitions) remaining.Remove(partition);
            _owned = remaining;
        }
    }

    // ───────────────────────────── Commits ─────────────────────────────

    /// <summary>Auto-commit: how far records were processed, where that moved since the last commit. Failures wait for the next try.</summary>
    private async Task TryCommitProcessedAsync(CancellationToken ct, List<TopicPartition>? only = null)
    {
        try
        {
            await CommitPositionsAsync(p => p.Processed, ct, only, forwardOnly: true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HubException || IsTransient(e))
        {
            // Refused (a rebalance, a lost membership) or unreachable: the records are read again by whoever reads next.
        }
    }

    private async Task CommitPositionsAsync(Func<PartitionProgress, long> position, CancellationToken ct,
        List<TopicPartition>? only = null, bool forwardOnly = false)
    {
        var owned = Volatile.Read(ref _owned);
        var due = (only ?? (IEnumerable<TopicPartition>)owned.Keys)
            .Select(p => (Partition: p, Progress: owned.GetValueOrDefault(p)))
            .Where(e => e.Progress is not null)
            .Select(e => (e.Partition, e.Progress!, Offset: position(e.Progress!)))
            .Where(e => forwardOnly ? e.Offset > e.Item2.Committed : e.Offset != e.Item2.Committed)
            .ToList();
        if (due.Count == 0) return;
        await CommitEntriesAsync(due.Select(e => new OffsetCommitEntry(e.Partition.Topic, e.Partition.Partition, e.Offset)).ToArray(), ct)
            .ConfigureAwait(false);
        foreach (var (_, progress, offset) in due) progress.Committed = offset;
    }

    private async Task CommitEntriesAsync(OffsetCommitEntry[] entries, CancellationToken ct)
    {
        var generation = GenerationId;
        if (generation < 0)
            throw new HubException(ErrorCode.RebalanceInProgress, $"this consumer is not a member of group '{GroupId}' right now (it is joining); commit after the assignment");
        await _group.CommitOffsets(new OffsetCommitRequest
        {
            GenerationId = generation,
            MemberId = MemberId,
            GroupInstanceId = _options.GroupInstanceId,
            Offsets = entries,
        }).WaitAsync(ct).ConfigureAwait(false);
    }

    // ───────────────────────────── Plumbing ─────────────────────────────

    private async Task StopLoopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void ThrowIfFailed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_error is { } error) throw error;
    }

    /// <summary>Failures that may pass: a lost connection, a timed-out call, a group moving between silos.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        HubException hub => hub.Code is ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or ErrorCode.RebalanceInProgress,
        TimeoutException or Orleans.Runtime.OrleansException or System.Net.Sockets.SocketException or IOException => true,
        _ => false,
    };

    private static TimeSpan Next(TimeSpan delay) => delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * TimeProvider.System.TimestampFrequency);

    /// <summary>
    /// One partition's positions: <see cref="Consumed"/> after the last record handed out,
    /// <see cref="Processed"/> after the last record the reader moved past, <see cref="Committed"/> as last stored.
    /// </summary>
    private sealed class PartitionProgress(long start, long committed)
    {
        private long _consumed = start;
        private long _processed = start;
        private long _committed = committed;

        public long Consumed
        {
            get => Volatile.Read(ref _consumed);
            set => Volatile.Write(ref _consumed, value);
        }

        public long Processed
        {
            get => Volatile.Read(ref _processed);
            set => Volatile.Write(ref _processed, value);
        }

        public long Committed
        {
            get => Volatile.Read(ref _committed);
            set => Volatile.Write(ref _committed, value);
        }
    }
}
