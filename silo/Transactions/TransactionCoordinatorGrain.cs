using Hub.Batches;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Configuration;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Metadata;
using Hub.Transactions;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Transactions;

/// <summary>
/// One transactional id's coordinator: a shell around <see cref="TransactionCoordinator"/> that stores every change
/// before answering or acting (a write that fails re-reads the store and answers COORDINATOR_NOT_AVAILABLE, which
/// clients retry; a conflicting write from another activation fails the same way), and writes the markers of a
/// prepared transaction into its partitions and groups, retrying until each is written: after EndTxn, after its own
/// abort of a timed-out or fenced transaction, and when it finds a prepared one on activation (its silo died midway).
/// The markers go on in the background while the grain answers other calls (those that need the transaction finished
/// get CONCURRENT_TRANSACTIONS, which clients retry). The one change not stored before it is answered is a transaction's
/// completion once its markers are written: losing it only has the markers written again.
/// </summary>
internal sealed partial class TransactionCoordinatorGrain(
    [PersistentState("transaction", HubStorage.Name)] IPersistentState<TransactionMetadata> state,
    KafkaTopics topics,
    TimeProvider time,
    ILogger<TransactionCoordinatorGrain> logger) : Grain, IInterBrokerTransactionCoordinatorGrain
{
    /// <summary>How long EndTxn (and a call that must wait for the previous transaction) waits for the markers; the decision is durable before.</summary>
    private static readonly TimeSpan MarkersWait = TimeSpan.FromSeconds(5);

    /// <summary>Between attempts at a marker a partition refused (no leader, too few in-sync replicas): a leader election takes about this.</summary>
    private static readonly TimeSpan MarkerRetryBackoff = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A transactional id stays in the directory this long after its last transaction ended: a producer that starts the
    /// next one soon (as most do) finds its id there and costs the directory no write per transaction.
    /// </summary>
    private static readonly TimeSpan DirectoryIdleTime = TimeSpan.FromMinutes(1);

    /// <summary>Hub has no coordinator epochs: stored state is fenced by its ETag instead, so markers carry 0.</summary>
    private const int CoordinatorEpoch = 0;

    private readonly CancellationTokenSource _deactivating = new();
    private TransactionCoordinator _coordinator = null!;
    private Task? _markers;

    /// <summary>The write of the last transaction's completion, which nothing waits for but the next write.</summary>
    private Task? _completionStore;

    /// <summary>This activation put the id in the directory (only this grain adds or removes it): no call needed before the next transaction.</summary>
    private bool _inDirectory;

    private string TransactionalId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _coordinator = new TransactionCoordinator(state.State, time);
        if (_coordinator.IsPrepared) StartMarkers();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        return Task.CompletedTask;
    }

    public async Task<(long ProducerId, short Epoch)> InitProducerId(int timeoutMs, long expectedProducerId, short expectedEpoch)
    {
        await SettleAsync();
        _coordinator.CheckInit(timeoutMs, expectedProducerId, expectedEpoch);
        // An ongoing transaction of an earlier producer is aborted (with an epoch bump that fences it) before a new epoch.
        if (_coordinator.PrepareFencingAbort())
        {
            await StoreAsync();
            StartMarkers();
        }
        await AwaitPreviousTransactionAsync();
        if (!state.State.Registered)
        {
            // Once per id, so ListTransactions knows it: the directory stores it before the id is stored as initialized.
            await GrainFactory.GetGrain<IInterBrokerTransactionDirectoryGrain>(0).Register(TransactionalId);
            state.State.Registered = true;
        }
        var newProducerId = _coordinator.NeedsNewProducerId ? await GrainFactory.GetGrain<IProducerIdGrain>(0).Allocate() : -1;
        _coordinator.Init(timeoutMs, newProducerId);
        await StoreAsync();
        return (state.State.ProducerId, state.State.ProducerEpoch);
    }

    public async Task AddPartitions(long producerId, short epoch, TopicPartition[] partitions)
    {
        await SettleAsync();
        await AwaitPreviousTransactionAsync();
        await OpenAsync(() => _coordinator.AddPartitions(producerId, epoch, partitions));
    }

    public async Task AddOffsets(long producerId, short epoch, string groupId)
    {
        await SettleAsync();
        await AwaitPreviousTransactionAsync();
        await OpenAsync(() => _coordinator.AddGroup(producerId, epoch, groupId));
    }

    public async Task SendOffsets(long producerId, short epoch, string groupId, OffsetCommitRequest offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        await AddOffsets(producerId, epoch, groupId);
        await GrainFactory.GetGrain<IInterBrokerGroupGrain>(groupId).CommitTransactionalOffsets(producerId, offsets);
    }

    public async Task EndTransaction(long producerId, short epoch, bool commit)
    {
        await SettleAsync();
        if (_coordinator.Prepare(producerId, epoch, commit))
        {
            await StoreAsync();
            StartMarkers();
        }
        if (_markers is { } markers) await markers.WaitAsync(MarkersWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    public async Task<TransactionDescription> Describe()
    {
        await SettleAsync(); // a failed completion write re-reads the state: describe what the store holds
        return _coordinator.Describe(TransactionalId);
    }

    public async Task CheckTimeout()
    {
        await SettleAsync();
        if (_coordinator.HasTimedOut && _coordinator.PrepareFencingAbort())
        {
            LogTimedOut(TransactionalId, state.State.ProducerId, state.State.TimeoutMs);
            await StoreAsync();
        }
        if (_coordinator.IsPrepared) StartMarkers();
        else if (_coordinator.IdleFor >= DirectoryIdleTime)
        {
            _inDirectory = false;
            await GrainFactory.GetGrain<IInterBrokerTransactionDirectoryGrain>(0).MarkClosed(TransactionalId);
        }
    }

    /// <summary>A change that may begin a transaction: the directory knows the id is open before the start is stored.</summary>
    private async Task OpenAsync(Func<bool> change)
    {
        if (!change()) return;
        if (!_inDirectory)
        {
            await GrainFactory.GetGrain<IInterBrokerTransactionDirectoryGrain>(0).MarkOpen(TransactionalId);
            _inDirectory = true;
        }
        await StoreAsync();
    }

    /// <summary>Waits a while for a prepared transaction's markers; CONCURRENT_TRANSACTIONS when they are still not all written.</summary>
    private async Task AwaitPreviousTransactionAsync()
    {
        if (!_coordinator.IsPrepared) return;
        StartMarkers();
        await _markers!.WaitAsync(MarkersWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (_coordinator.IsPrepared)
            throw new HubException(ErrorCode.ConcurrentTransactions, $"the previous transaction of '{TransactionalId}' is still being {(state.State.Status == TransactionStatus.PrepareCommit ? "committed" : "aborted")}");
    }

    private void StartMarkers() => _markers = _markers is { IsCompleted: false } running ? running : WriteMarkersAsync();

    private async Task WriteMarkersAsync()
    {
        var metadata = state.State;
        var result = metadata.Status == TransactionStatus.PrepareCommit ? TransactionResult.Commit : TransactionResult.Abort;
        var (producerId, epoch) = (metadata.ProducerId, metadata.ProducerEpoch);
        await Task.WhenAll(metadata.AllPartitions().Select(p => WriteMarkerAsync(p, producerId, epoch, result))
            .Concat(metadata.Groups.Select(g => CompleteGroupAsync(g, producerId, result))));
        _coordinator.Complete();
        // Not waited for: a crash before it is stored leaves the transaction prepared, and its markers are written
        // again, which changes nothing. The next change's write waits for it.
        _completionStore = StoreAsync();
    }

    private async Task WriteMarkerAsync(TopicPartition partition, long producerId, short epoch, TransactionResult result)
    {
        while (true)
        {
            _deactivating.Token.ThrowIfCancellationRequested();
            var topic = await topics.GetAsync(partition.Topic, partition.Partition);
            // A topic deleted since holds no records of the transaction any more.
            if (topic is null || partition.Partition >= topic.PartitionCount) return;
            try
            {
                await topics.Partition<IInterBrokerPartitionGrain>(topic, partition.Partition).WriteTxnMarker(producerId, epoch, result, CoordinatorEpoch);
                return;
            }
            catch (Exception e)
            {
                var error = topics.Failed(partition.Topic, e);
                if (error == ErrorCode.UnknownTopicOrPartition) return;
                // The partition knows a newer epoch of the producer: a later marker superseded this one.
                if (error == ErrorCode.InvalidProducerEpoch) return;
                LogMarkerRetry(e, partition.Topic, partition.Partition, TransactionalId);
            }
            await Task.Delay(MarkerRetryBackoff, time, _deactivating.Token);
        }
    }

    private async Task CompleteGroupAsync(string groupId, long producerId, TransactionResult result)
    {
        while (true)
        {
            _deactivating.Token.ThrowIfCancellationRequested();
            try
            {
                await GrainFactory.GetGrain<IInterBrokerGroupGrain>(groupId).CompleteTransaction(producerId, result == TransactionResult.Commit);
                return;
            }
            catch (Exception e)
            {
                LogMarkerRetry(e, groupId, -1, TransactionalId);
            }
            await Task.Delay(MarkerRetryBackoff, time, _deactivating.Token);
        }
    }

    /// <summary>
    /// Waits for the last completion's write before a call looks at or changes the state: the write serializes the state
    /// object, so nothing may change it meanwhile, and a failed write re-reads it.
    /// </summary>
    private async Task SettleAsync()
    {
        if (_completionStore is { IsCompleted: false } store) await store.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    private async Task StoreAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            LogStoreFailed(e, TransactionalId);
            // What was changed in memory was never stored: start again from what the store holds.
            await state.ReadStateAsync();
            _coordinator = new TransactionCoordinator(state.State, time);
            throw new HubException(ErrorCode.CoordinatorNotAvailable, $"the transaction state of '{TransactionalId}' could not be stored: {e.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the transaction state of {TransactionalId} failed; re-read from the store")]
    private partial void LogStoreFailed(Exception exception, string transactionalId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing a transaction marker to {Target}/{Partition} for {TransactionalId} failed; retrying")]
    private partial void LogMarkerRetry(Exception exception, string target, int partition, string transactionalId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Aborting the transaction of {TransactionalId} (producer {ProducerId}): open longer than its timeout of {TimeoutMs} ms")]
    private partial void LogTimedOut(string transactionalId, long producerId, int timeoutMs);
}
