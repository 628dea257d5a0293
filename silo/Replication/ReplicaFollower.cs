using Hub.Silo.InterBroker;
using Hub.Silo.Log;
using Hub.Topics;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Replication;

/// <summary>
/// A follower replica's loop: fetch from the leader named by the current assignment and copy what comes back,
/// until stopped (this replica leads now, or closes) or the assignment names no leader. The leader's answer says
/// what to do: append its batches as they are; cut a divergent tail where the leader's epochs and this log's say
/// (<see cref="LogDivergence.TruncationOffset"/>), then fetch again, until the two agree; or, when the leader's log starts past this log's end (it deleted what this replica lacks), start over
/// there. An answer that arrives after the assignment changed is stale and dropped. Errors (the leader moved,
/// a fenced epoch, a timeout) back off, doubling up to <see cref="MaxBackoff"/>, and re-read the assignment,
/// which is how a follower finds a new leader when the old one's silo died.
/// <para>
/// Runs on the partition grain's scheduler: started within a grain turn, every await resumes there, so it
/// interleaves with the grain's calls only between whole log operations. <see cref="Stop"/> abandons a fetch or
/// backoff in progress; the log is not touched after it.
/// </para>
/// </summary>
/// <param name="highWatermark">What this replica last knew of the high watermark (as leader, or its log start).</param>
/// <param name="refreshAssignment">
/// Reads the assignment from the controller and applies it (through <see cref="Follow"/> or <see cref="Stop"/>),
/// handling its own failures.
/// </param>
/// <param name="replica">Names the replica in log lines.</param>
internal sealed partial class ReplicaFollower(int localBroker, SegmentLog log, PartitionAssignment assignment, long highWatermark,
    ReplicaFollower.FetchFromLeader fetch, Func<Task> refreshAssignment, TimeProvider time, ILogger logger, string replica)
{
    /// <summary>Sends <paramref name="request"/> to the replica on <paramref name="leaderBroker"/>.</summary>
    public delegate Task<ReplicaFetchResult> FetchFromLeader(int leaderBroker, ReplicaFetchRequest request);

    /// <summary>Bytes asked for per fetch: Orleans carries calls of this size well (design notes: ≤ 1 MiB).</summary>
    public const int FetchMaxBytes = 1024 * 1024;

    /// <summary>
    /// How long a fetch waits at the leader's log end for new batches. New batches answer it at once, so this
    /// only sets the idle cost: one call per follower this often (Kafka's 500 ms would be four times as many
    /// calls, one per partition here rather than one per broker pair). Well under ReplicaLagTimeMax, which a
    /// waiting follower must not look like it exceeds.
    /// </summary>
    public const int FetchMaxWaitMs = 2000;

    /// <summary>The pause after a first failed fetch: short, since a leader change is usually over by then.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest pause between failed fetches: a follower of a dead leader asks the controller this often.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private PartitionAssignment _assignment = assignment;
    private Task _running = Task.CompletedTask;

    /// <summary>Cancelled when the leader or epoch followed changes, or the loop stops: abandons the fetch in flight.</summary>
    private CancellationTokenSource _leaderFollowed = new();

    /// <summary>What the leader last said the high watermark is, capped at this log's end: where it stands should this replica lead.</summary>
    public long HighWatermark { get; private set; } = highWatermark;

    /// <summary>The loop, or a completed task while none runs.</summary>
    public Task Running => _running;

    /// <summary>
    /// Follows the leader <paramref name="assignment"/> names, starting the loop if it isn't running. A fetch in flight
    /// to another leader or for another epoch is abandoned: the old leader may hold it for its whole long poll, or,
    /// gone, until Orleans gives up on it, while the new leader waits for this replica before acknowledging writes.
    /// </summary>
    public void Follow(PartitionAssignment assignment)
    {
        var previous = _assignment;
        _assignment = assignment;
        if (LeaderChanged(previous))
        {
            var abandoned = _leaderFollowed;
            _leaderFollowed = new CancellationTokenSource();
            abandoned.Cancel();
        }
        if (_running.IsCompleted && !_stop.IsCancellationRequested) _running = RunAsync();
    }

    /// <summary>Ends the loop for good: a fetch or backoff in progress is abandoned.</summary>
    public void Stop()
    {
        _stop.Cancel();
        _leaderFollowed.Cancel();
    }

    private async Task RunAsync()
    {
        var backoff = FirstBackoff;
        PartitionAssignment? following = null;
        while (!_stop.IsCancellationRequested && _assignment.HasLeader)
        {
            var assignment = _assignment;
            if (following?.LeaderEpoch != assignment.LeaderEpoch)
            {
                LogFollowing(replica, assignment.Leader, assignment.LeaderEpoch, log.LogEndOffset);
                following = assignment;
            }
            var abandon = _leaderFollowed.Token;
            try
            {
                var result = await fetch(assignment.Leader, new ReplicaFetchRequest(
                    localBroker, assignment.LeaderEpoch, log.LogEndOffset, log.LatestEpoch, FetchMaxBytes, FetchMaxWaitMs)).WaitAsync(abandon);
                using (result.Records)
                {
                    // The role or the leader may have changed while the fetch was out: its answer is then stale.
                    if (_stop.IsCancellationRequested || LeaderChanged(assignment)) continue;
                    Apply(result);
                }
                // A divergence answer carries no high watermark (-1): keep this one, capped at the cut.
                HighWatermark = Math.Min(result.Diverged ? HighWatermark : result.HighWatermark, log.LogEndOffset);
                backoff = FirstBackoff;
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception) when (LeaderChanged(assignment))
            {
                // Abandoned by Follow, or the old leader's refusal: the new leader is asked at once.
            }
            catch (Exception e)
            {
                LogFetchFailed(backoff == MaxBackoff ? LogLevel.Warning : LogLevel.Debug, replica, assignment.Leader, e.Message);
                await Task.Delay(backoff, time, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                if (_stop.IsCancellationRequested) break;
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                await refreshAssignment();
            }
        }
    }

    /// <summary>Whether the assignment now names another leader or epoch than <paramref name="assignment"/> (an ISR change doesn't count).</summary>
    private bool LeaderChanged(PartitionAssignment assignment) =>
        _assignment.Leader != assignment.Leader || _assignment.LeaderEpoch != assignment.LeaderEpoch;

    private void Apply(ReplicaFetchResult result)
    {
        if (result.Diverged) log.TruncateTo(LogDivergence.TruncationOffset(log, result));
        else if (result.LogStartOffset > log.LogEndOffset) log.ResetTo(result.LogStartOffset);
        else if (!result.Records.IsEmpty) log.AppendReplicated(result.Records.Memory);
        // The leader's log start moved (DeleteRecords, retention): this replica's follows as far as it has records, as Kafka's followers do.
        if (!result.Diverged && result.LogStartOffset > log.LogStartOffset) log.DeleteRecordsBefore(Math.Min(result.LogStartOffset, log.LogEndOffset));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Replica} follows broker {Leader} in epoch {Epoch} from offset {End}")]
    private partial void LogFollowing(string replica, int leader, int epoch, long end);

    [LoggerMessage(Message = "{Replica} failed to fetch from broker {Leader}: {Error}")]
    private partial void LogFetchFailed(LogLevel level, string replica, int leader, string error);
}
