using Hub.Client.Metadata;
using Hub.Errors;
using Hub.Groups;

namespace Hub.Client.Producing;

/// <summary>
/// A transactional producer's side of Kafka's transaction protocol: its producer id and epoch from the coordinator, where
/// it stands (not initialized, ready, in a transaction, ending one, or failed for good), the partitions and groups the open
/// transaction has added, and the first failure of one of its batches, after which the transaction can only abort.
/// Partitions are added before their first batch goes out; additions asked for while one is under way go together in
/// the next call.
/// </summary>
internal sealed class ProducerTransaction(
    string transactionalId, int timeoutMs, PartitionRouter router, ProducerIdentity identity, Action resetSequences)
{
    private enum Stage
    {
        Uninitialized,
        Ready,
        InTransaction,
        Ending,
        Failed,
    }

    private readonly Lock _lock = new();
    private readonly HashSet<TopicPartition> _added = [];

    // Asked for and not yet added: those waiting for the next call, and those in the call under way.
    private readonly Dictionary<TopicPartition, TaskCompletionSource> _toAdd = [];
    private readonly Dictionary<TopicPartition, TaskCompletionSource> _adding = [];
    private Stage _stage;
    private HubException? _fatal;
    private Exception? _abortable;

    // Whether the coordinator knows of the transaction (a partition or group was added), so ending it needs EndTxn.
    private bool _begun;

    // A batch with a sequence failed: the partitions may hold sequences the producer can't account for, so the next
    // transaction starts on a new epoch (KIP-360), from sequence 0 everywhere.
    private bool _needsNewEpoch;

    public async Task InitAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (_stage != Stage.Uninitialized) throw new InvalidOperationException($"transactional producer '{transactionalId}' is already initialized");
        }
        try
        {
            var (id, epoch) = await router.OnTransactionCoordinatorAsync(transactionalId,
                c => c.InitProducerId(timeoutMs, expectedProducerId: -1, expectedEpoch: -1), ct).ConfigureAwait(false);
            identity.Assign(new ProducerIdAndEpoch(id, epoch));
            lock (_lock) _stage = Stage.Ready;
        }
        catch (Exception e)
        {
            FailIfFatal(e);
            throw;
        }
    }

    public void Begin()
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (_stage != Stage.Ready)
                throw new InvalidOperationException(_stage == Stage.Uninitialized
                    ? $"call InitTransactionsAsync before a transaction of '{transactionalId}'"
                    : $"a transaction of '{transactionalId}' is already open");
            _stage = Stage.InTransaction;
            _added.Clear();
            _begun = false;
            _abortable = null;
        }
    }

    /// <summary>Throws unless records may be produced now: in an open transaction that nothing has failed yet.</summary>
    public void CheckCanProduce()
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (_stage != Stage.InTransaction)
                throw new InvalidOperationException($"no transaction of '{transactionalId}' is open: call BeginTransaction before producing");
            if (_abortable is { } error) throw CannotGoOn(error);
        }
    }

    /// <summary>Whether the open transaction has <paramref name="partition"/>.</summary>
    public bool Holds(TopicPartition partition)
    {
        lock (_lock) return _added.Contains(partition);
    }

    /// <summary>Completes once the coordinator has <paramref name="partition"/> in the transaction (at once when it has).</summary>
    public Task AddAsync(TopicPartition partition)
    {
        lock (_lock)
        {
            if (_added.Contains(partition)) return Task.CompletedTask;
            if (_adding.TryGetValue(partition, out var adding) || _toAdd.TryGetValue(partition, out adding)) return adding.Task;
            var added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _toAdd[partition] = added;
            // A call under way takes the waiting ones when it is done; otherwise one starts (two racing here is harmless).
            if (_adding.Count == 0) _ = Task.Run(AddWaitingAsync);
            return added.Task;
        }
    }

    /// <summary>A batch of the transaction failed for good: the transaction must abort; a fenced producer is done.</summary>
    public void BatchFailed(Exception error, bool hadSequence)
    {
        lock (_lock)
        {
            _abortable ??= error;
            _needsNewEpoch |= hadSequence;
        }
        FailIfFatal(error);
    }

    public async Task SendOffsetsAsync(string groupId, OffsetCommitRequest offsets, CancellationToken ct)
    {
        CheckCanProduce();
        var producer = await identity.GetAsync().ConfigureAwait(false);
        // Even a call that fails may have been stored in part (the group added), so the transaction counts as begun.
        lock (_lock) _begun = true;
        try
        {
            await router.OnTransactionCoordinatorAsync(transactionalId, c => c.SendOffsets(producer.Id, producer.Epoch, groupId, offsets), ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            FailIfFatal(e);
            throw;
        }
    }

    /// <summary>
    /// Commits: <paramref name="flush"/> first, then EndTxn. Throws, leaving the transaction open, when a record failed
    /// (abort it then) or the coordinator could not be reached (commit again, or abort).
    /// </summary>
    public Task CommitAsync(Func<Task> flush, CancellationToken ct) => EndAsync(commit: true, flush, ct);

    /// <summary>Aborts: waits for the batches under way, then EndTxn; after a failed batch, moves to a new epoch for the next transaction.</summary>
    public Task AbortAsync(Func<Task> flush, CancellationToken ct) => EndAsync(commit: false, flush, ct);

    private async Task EndAsync(bool commit, Func<Task> flush, CancellationToken ct)
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (_stage != Stage.InTransaction)
                throw new InvalidOperationException($"no transaction of '{transactionalId}' is open to {(commit ? "commit" : "abort")}");
            _stage = Stage.Ending;
        }
        try
        {
            await flush().ConfigureAwait(false);
            bool begun;
            lock (_lock)
            {
                if (commit && _abortable is { } error) throw CannotGoOn(error);
                begun = _begun;
            }
            var producer = await identity.GetAsync().ConfigureAwait(false);
            if (begun)
                await router.OnTransactionCoordinatorAsync(transactionalId, c => c.EndTransaction(producer.Id, producer.Epoch, commit), ct).ConfigureAwait(false);
            if (!commit && _needsNewEpoch) await NewEpochAsync(producer, ct).ConfigureAwait(false);
            lock (_lock) _stage = Stage.Ready;
        }
        catch (Exception e)
        {
            FailIfFatal(e);
            lock (_lock)
            {
                if (_stage == Stage.Ending) _stage = Stage.InTransaction;
            }
            throw;
        }
    }

    /// <summary>KIP-360: the coordinator bumps the epoch of the producer it knows, and every partition starts again at sequence 0.</summary>
    private async Task NewEpochAsync(ProducerIdAndEpoch producer, CancellationToken ct)
    {
        var (id, epoch) = await router.OnTransactionCoordinatorAsync(transactionalId,
            c => c.InitProducerId(timeoutMs, producer.Id, producer.Epoch), ct).ConfigureAwait(false);
        identity.Assign(new ProducerIdAndEpoch(id, epoch));
        resetSequences();
        lock (_lock) _needsNewEpoch = false;
    }

    private async Task AddWaitingAsync()
    {
        while (true)
        {
            TopicPartition[] partitions;
            lock (_lock)
            {
                if (_toAdd.Count == 0) return;
                foreach (var (partition, added) in _toAdd) _adding[partition] = added;
                _toAdd.Clear();
                partitions = [.. _adding.Keys];
            }
            Exception? failure = null;
            try
            {
                var producer = await identity.GetAsync().ConfigureAwait(false);
                await router.OnTransactionCoordinatorAsync(transactionalId, c => c.AddPartitions(producer.Id, producer.Epoch, partitions), CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }
            List<TaskCompletionSource> done;
            lock (_lock)
            {
                done = [.. _adding.Values];
                _adding.Clear();
                // Even a failed call may have been stored: EndTxn then finds the transaction the coordinator may hold.
                _begun = true;
                if (failure is null) _added.UnionWith(partitions);
            }
            if (failure is not null) FailIfFatal(failure);
            foreach (var added in done)
            {
                if (failure is null) added.TrySetResult();
                else added.TrySetException(failure);
            }
        }
    }

    /// <summary>Fenced by a newer producer with the id, or refused the id: nothing this producer does can succeed any more.</summary>
    private void FailIfFatal(Exception error)
    {
        if (error is not HubException
            {
                Code: ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.InvalidProducerIdMapping
                    or ErrorCode.TransactionalIdAuthorizationFailed,
            }) return;
        lock (_lock)
        {
            _fatal ??= (HubException)error;
            _stage = Stage.Failed;
        }
    }

    private void ThrowIfFailed()
    {
        if (_fatal is { } fatal) throw new HubException(fatal.Code, $"transactional producer '{transactionalId}' can't go on: {fatal.Message}", fatal);
    }

    private HubException CannotGoOn(Exception error) => new(error is HubException hub ? hub.Code : ErrorCode.UnknownServerError,
        $"the transaction of '{transactionalId}' can only abort: a record of it failed ({error.Message})", error);
}
