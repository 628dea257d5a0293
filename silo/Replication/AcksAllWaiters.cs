using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Replication;

/// <summary>
/// The acks=all appends of one leadership waiting for the high watermark to pass their last record. An append
/// is refused before it is written when the ISR is already below <c>min.insync.replicas</c> (NOT_ENOUGH_REPLICAS);
/// a written one completes once the high watermark reaches its end, with NOT_ENOUGH_REPLICAS_AFTER_APPEND instead
/// of "ok" if the ISR has meanwhile shrunk below <c>min.insync.replicas</c> (the high watermark then passed it on
/// fewer disks than promised, as Kafka's <c>Partition.checkEnoughReplicasReachOffset</c> answers); it fails with
/// REQUEST_TIMED_OUT after the replication timeout, and with the given reason when the leadership ends (it can no
/// longer promise it).
/// Not thread-safe: the partition grain calls it within its turns.
/// </summary>
internal sealed class AcksAllWaiters(int minInSyncReplicas, TimeSpan timeout, TimeProvider time, PartitionAssignment assignment)
{
    private readonly PriorityQueue<TaskCompletionSource, long> _waiting = new();

    /// <summary>The topic's min.insync.replicas; a changed config sets it, and it counts from the next check on.</summary>
    public int MinInSyncReplicas { get; set; } = minInSyncReplicas;

    /// <summary>The assignment as of the last <see cref="Release"/>: whose confirmation the waiters wait for.</summary>
    private PartitionAssignment _assignment = assignment;

    /// <summary>Throws NOT_ENOUGH_REPLICAS when the ISR is too small to take an acks=all append.</summary>
    public void RefuseBelowMinInSync()
    {
        if (BelowMinInSync) throw new HubException(ErrorCode.NotEnoughReplicas, InSyncShortfall);
    }

    /// <summary>
    /// Completes once <see cref="Release"/> is given a high watermark at or past <paramref name="endOffset"/>
    /// (the offset after the append's last record); at once when <paramref name="highWatermark"/> already is.
    /// </summary>
    public async Task WaitFor(long endOffset, long highWatermark)
    {
        if (endOffset <= highWatermark) return;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Enqueue(done, endOffset);
        try
        {
            await done.Task.WaitAsync(timeout, time);
        }
        catch (TimeoutException)
        {
            throw new HubException(ErrorCode.RequestTimedOut,
                $"the in-sync replicas {string.Join(",", _assignment.InSync)} did not all confirm offset {endOffset - 1} within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// Takes the leader's view after a high watermark move or an assignment change: completes the waiters that
    /// <paramref name="highWatermark"/> passed, the ISR being <paramref name="current"/>'s: "ok" while it holds
    /// <c>min.insync.replicas</c>, NOT_ENOUGH_REPLICAS_AFTER_APPEND below that.
    /// </summary>
    public void Release(long highWatermark, PartitionAssignment current)
    {
        _assignment = current;
        while (_waiting.TryPeek(out var done, out var endOffset) && endOffset <= highWatermark)
        {
            _waiting.Dequeue();
            if (BelowMinInSync)
                done.TrySetException(new HubException(ErrorCode.NotEnoughReplicasAfterAppend,
                    $"offsets up to {endOffset - 1} are written, but {InSyncShortfall}"));
            else
                done.TrySetResult();
        }
    }

    /// <summary>Fails every waiter: this replica no longer leads in this epoch.</summary>
    public void Abandon(HubException reason)
    {
        while (_waiting.TryDequeue(out var done, out _)) done.TrySetException(reason);
    }

    private bool BelowMinInSync => _assignment.InSync.Length < MinInSyncReplicas;

    private string InSyncShortfall => $"{_assignment.InSync.Length} replica(s) in sync, min.insync.replicas is {MinInSyncReplicas}";
}
