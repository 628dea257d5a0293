using Hub.Errors;
using Hub.Groups;

namespace Hub.Silo.Transactions;

/// <summary>
/// Kafka's transaction coordinator rules for one transactional id (KIP-98 with KIP-360 and KIP-588), over its stored
/// <see cref="TransactionMetadata"/>: who may act (the current producer id and epoch; an older epoch is fenced), what
/// each state allows, and the transitions. The caller stores the metadata after every change that returns true, before
/// it answers or acts, and writes the markers of a prepared transaction. No I/O here.
/// </summary>
internal sealed class TransactionCoordinator(TransactionMetadata state, TimeProvider time)
{
    /// <summary>Kafka's transaction.max.timeout.ms default: a longer transaction would hold read_committed consumers back too long.</summary>
    public const int MaxTimeoutMs = 15 * 60 * 1000;

    /// <summary>The last epoch handed out before a new producer id is taken (Kafka keeps short.MaxValue for fencing bumps).</summary>
    private const short LastUsableEpoch = short.MaxValue - 1;

    public TransactionMetadata State => state;

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    public bool IsPrepared => state.Status is TransactionStatus.PrepareCommit or TransactionStatus.PrepareAbort;

    public bool IsOngoing => state.Status == TransactionStatus.Ongoing;

    /// <summary>An ongoing transaction older than its timeout: the coordinator aborts it.</summary>
    public bool HasTimedOut => IsOngoing && NowMs - state.StartedMs > state.TimeoutMs;

    /// <summary>How long no transaction has been open or being ended; zero while one is.</summary>
    public TimeSpan IdleFor => IsOngoing || IsPrepared ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(0, NowMs - state.UpdatedMs));

    /// <summary>Whether InitProducerId can go on now: false while an earlier transaction must first end (the caller aborts or completes it).</summary>
    public void CheckInit(int timeoutMs, long expectedProducerId, short expectedEpoch)
    {
        if (timeoutMs <= 0 || timeoutMs > MaxTimeoutMs)
            throw new HubException(ErrorCode.InvalidTransactionTimeout, $"transaction timeout {timeoutMs} ms is not in (0, {MaxTimeoutMs}]");
        // KIP-360: a producer that re-initializes names the id and epoch it had; only the current one may.
        if (expectedProducerId >= 0 && state.ProducerId >= 0
            && (expectedProducerId != state.ProducerId || expectedEpoch != state.ProducerEpoch))
            throw new HubException(ErrorCode.ProducerFenced,
                $"producer {expectedProducerId} epoch {expectedEpoch} is not the current one ({state.ProducerId} epoch {state.ProducerEpoch})");
    }

    /// <summary>True when <see cref="Init"/> needs a fresh producer id: the first time, or once the epoch runs out.</summary>
    public bool NeedsNewProducerId => state.ProducerId < 0 || state.ProducerEpoch >= LastUsableEpoch;

    /// <summary>
    /// A new epoch for the transactional id (fencing every older producer), or <paramref name="newProducerId"/> at epoch 0
    /// when <see cref="NeedsNewProducerId"/>. The state must not be ongoing or prepared.
    /// </summary>
    public void Init(int timeoutMs, long newProducerId)
    {
        if (NeedsNewProducerId)
        {
            state.ProducerId = newProducerId;
            state.ProducerEpoch = 0;
        }
        else
        {
            state.ProducerEpoch++;
        }
        state.TimeoutMs = timeoutMs;
        Reset(TransactionStatus.Empty);
    }

    /// <summary>Adds partitions (AddPartitionsToTxn); true when the stored state changed.</summary>
    public bool AddPartitions(long producerId, short epoch, IEnumerable<TopicPartition> partitions)
    {
        CheckProducer(producerId, epoch);
        CheckCanAdd();
        var changed = Begin();
        foreach (var partition in partitions)
        {
            if (!state.Partitions.TryGetValue(partition.Topic, out var set)) state.Partitions[partition.Topic] = set = [];
            changed |= set.Add(partition.Partition);
        }
        if (changed) state.UpdatedMs = NowMs;
        return changed;
    }

    /// <summary>Adds a group whose offsets the transaction commits (AddOffsetsToTxn); true when the stored state changed.</summary>
    public bool AddGroup(long producerId, short epoch, string groupId)
    {
        CheckProducer(producerId, epoch);
        CheckCanAdd();
        var changed = Begin() | state.Groups.Add(groupId);
        if (changed) state.UpdatedMs = NowMs;
        return changed;
    }

    /// <summary>
    /// EndTxn: prepares the commit or abort (true: store it, then write the markers), or finds it already decided the
    /// same way (false: a retry; wait for the markers if still prepared).
    /// </summary>
    public bool Prepare(long producerId, short epoch, bool commit)
    {
        CheckProducer(producerId, epoch);
        var (prepare, complete) = commit
            ? (TransactionStatus.PrepareCommit, TransactionStatus.CompleteCommit)
            : (TransactionStatus.PrepareAbort, TransactionStatus.CompleteAbort);
        if (state.Status == prepare || state.Status == complete) return false;
        if (state.Status != TransactionStatus.Ongoing)
        {
            if (IsPrepared)
                throw new HubException(ErrorCode.InvalidTxnState, $"the transaction is already {state.Status}");
            // Nothing was added: nothing to write. Kafka answers INVALID_TXN_STATE; clients do not send EndTxn then.
            throw new HubException(ErrorCode.InvalidTxnState, $"no transaction is ongoing ({state.Status}) to {(commit ? "commit" : "abort")}");
        }
        state.Status = prepare;
        state.UpdatedMs = NowMs;
        return true;
    }

    /// <summary>
    /// The coordinator's own abort (a timeout, or InitProducerId fencing an ongoing transaction): bumps the epoch, so
    /// the producer of the aborted transaction is fenced, and prepares the abort.
    /// </summary>
    public bool PrepareFencingAbort()
    {
        if (!IsOngoing) return false;
        state.ProducerEpoch = (short)Math.Min(state.ProducerEpoch + 1, short.MaxValue);
        state.Status = TransactionStatus.PrepareAbort;
        state.UpdatedMs = NowMs;
        return true;
    }

    /// <summary>Every marker of the prepared transaction is written: it is complete.</summary>
    public void Complete() =>
        Reset(state.Status == TransactionStatus.PrepareCommit ? TransactionStatus.CompleteCommit : TransactionStatus.CompleteAbort);

    private bool Begin()
    {
        if (IsOngoing) return false;
        Reset(TransactionStatus.Ongoing);
        state.StartedMs = NowMs;
        return true;
    }

    private void Reset(TransactionStatus status)
    {
        state.Status = status;
        state.Partitions.Clear();
        state.Groups.Clear();
        state.StartedMs = -1;
        state.UpdatedMs = NowMs;
    }

    private void CheckCanAdd()
    {
        if (IsPrepared)
            throw new HubException(ErrorCode.ConcurrentTransactions, $"the previous transaction is {state.Status}: its markers are still being written");
    }

    private void CheckProducer(long producerId, short epoch)
    {
        if (producerId != state.ProducerId)
            throw new HubException(ErrorCode.InvalidProducerIdMapping,
                $"producer {producerId} is not the transactional id's producer ({state.ProducerId})");
        if (epoch != state.ProducerEpoch)
            throw new HubException(ErrorCode.ProducerFenced,
                $"producer {producerId} epoch {epoch} is fenced: the current epoch is {state.ProducerEpoch}");
    }
}
