using Hub.Errors;

namespace Hub.Silo.Partitions;

/// <summary>
/// Orleans does not keep the order of calls: a silo dispatches each message it receives on a thread-pool work
/// item of its own, so an idempotent producer's pipelined batches (up to five per partition) now and then reach
/// the partition out of order. Kafka's broker refuses a batch past a sequence gap (OUT_OF_ORDER_SEQUENCE_NUMBER),
/// which over one TCP connection means a batch went missing; here it mostly means the batch before it is a few
/// milliseconds behind, and a refusal costs the producer a round trip per batch in flight. So such an append
/// waits, briefly and in bounded number, for the partition's next append and tries again; the refusal stands if
/// the gap outlasts the wait. Nothing is stored out of order: the log's sequence check decides every attempt.
/// One per partition replica; called on its grain's scheduler only.
/// </summary>
internal sealed class ReorderedAppends(TimeProvider time)
{
    /// <summary>
    /// Far above the milliseconds by which dispatch reorders calls on a loaded silo, far below a client's 30 s
    /// request timeout: a batch lost for good costs the ones sent after it this long before they are refused.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A waiting append holds its batch in memory. Five in flight let a producer have four waiting; this leaves room
    /// for several producers of one partition. Past it a refusal is immediate, which costs a retry, not data.
    /// </summary>
    public const int MaxWaiting = 32;

    /// <summary>
    /// How long after a leader takes over a gap its predecessor left is answered NOT_LEADER_OR_FOLLOWER (see
    /// <see cref="Refusal"/>): clients resend what the old leader refused within a metadata refresh and a backoff
    /// of at most a second or two, well inside this; a producer that never resends gets the true answer after it.
    /// </summary>
    public static readonly TimeSpan LeaderChangeGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The answer to a batch whose gap outlasted the wait. OUT_OF_ORDER_SEQUENCE_NUMBER as Kafka answers, except
    /// just after a leader change for a producer that has written nothing to this leader yet: then the batches
    /// in the gap went to the previous leader, which refused them with NOT_LEADER_OR_FOLLOWER, and the client
    /// will resend them here. librdkafka bumps its producer epoch on OUT_OF_ORDER_SEQUENCE_NUMBER for a batch
    /// behind a failed one (its issue 4953) and resends its unacknowledged records under the new epoch, storing
    /// twice any the old leader had written; NOT_LEADER_OR_FOLLOWER makes every client retry in order instead.
    /// Seen in the fault soak: two bumps in eight minutes, each right after a leader change.
    /// </summary>
    /// <param name="leading">How long this replica has led.</param>
    public static HubException Refusal(HubException outOfOrder, bool followsEarlierLeadersBatches, TimeSpan leading) =>
        followsEarlierLeadersBatches && leading < LeaderChangeGrace
            ? new HubException(ErrorCode.NotLeaderOrFollower,
                $"{outOfOrder.Message}: the batches before it went to the previous leader and are not stored; send them again first")
            : outOfOrder;

    private int _waiting;

    public int Waiting => _waiting;

    /// <summary>Starts a wait for one append, or null when <see cref="MaxWaiting"/> appends already wait.</summary>
    public Wait? Start()
    {
        if (_waiting >= MaxWaiting) return null;
        _waiting++;
        return new Wait(this, time, time.GetTimestamp());
    }

    /// <summary>One append's wait for the batches before it; disposing it gives its place back.</summary>
    public sealed class Wait(ReorderedAppends owner, TimeProvider time, long startedAt) : IDisposable
    {
        private bool _disposed;

        /// <summary>What is left of <see cref="MaxWait"/>; zero or less once it is over.</summary>
        public TimeSpan Remaining => MaxWait - time.GetElapsedTime(startedAt);

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            owner._waiting--;
        }
    }
}
