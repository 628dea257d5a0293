using Hub.Silo.InterBroker;
using System.Collections.Concurrent;
using Hub.Partitions;
using Hub.Silo.Log;
using Hub.Silo.Replication;

namespace Hub.Tests.Replication;

/// <summary>
/// The leader side of a <see cref="ReplicaFollower"/> under test: a real log answering replica fetches as the
/// partition grain does (a diverging tail, a fetch below the log start, batches), one batch per fetch so that
/// catching up takes several. A fetch at the log end waits, as the grain's long poll does, until
/// <see cref="ReleaseWaitingFetch"/>; while it waits the follower's loop holds still, so a test may read the
/// follower's log. Failures queued with <see cref="FailNext"/> answer the next fetches instead.
/// </summary>
internal sealed class FakeLeaderReplica(SegmentLog log)
{
    private readonly ConcurrentQueue<Exception> _failures = new();
    private readonly ConcurrentQueue<ReplicaFetchRequest> _requests = new();
    private readonly object _gate = new();
    private TaskCompletionSource<ReplicaFetchResult>? _waiting;
    private TaskCompletionSource<long> _waitingAt = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SegmentLog Log => log;

    public long HighWatermark { get; set; }

    /// <summary>Every fetch so far, in order.</summary>
    public IReadOnlyList<ReplicaFetchRequest> Requests => _requests.ToArray();

    public void FailNext(Exception error) => _failures.Enqueue(error);

    /// <summary>Completes once a fetch waits at the log end, with the offset it fetches from.</summary>
    public Task<long> WaitingFetch()
    {
        lock (_gate) return _waitingAt.Task;
    }

    /// <summary>Answers the waiting fetch with no batches, as a long poll that timed out does.</summary>
    public void ReleaseWaitingFetch()
    {
        TaskCompletionSource<ReplicaFetchResult> waiting;
        lock (_gate)
        {
            waiting = _waiting ?? throw new InvalidOperationException("no fetch is waiting");
            _waiting = null;
            _waitingAt = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        waiting.SetResult(new ReplicaFetchResult(PooledBatches.Empty, HighWatermark, log.LogStartOffset));
    }

    public Task<ReplicaFetchResult> Fetch(int leaderBroker, ReplicaFetchRequest request)
    {
        _requests.Enqueue(request);
        if (_failures.TryDequeue(out var error)) return Task.FromException<ReplicaFetchResult>(error);
        if (LogDivergence.Find(log, request) is { } diverged) return Task.FromResult(diverged);
        if (request.FetchOffset < log.LogStartOffset || request.FetchOffset < log.LogEndOffset)
        {
            var records = request.FetchOffset < log.LogStartOffset ? PooledBatches.Empty : log.Read(request.FetchOffset, maxBytes: 1);
            return Task.FromResult(new ReplicaFetchResult(records, HighWatermark, log.LogStartOffset));
        }
        lock (_gate)
        {
            _waiting = new TaskCompletionSource<ReplicaFetchResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waitingAt.SetResult(request.FetchOffset);
            return _waiting.Task;
        }
    }
}
