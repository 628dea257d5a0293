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
    /// How long a gap is answered NOT_LEADER_OR_FOLLOWER (see <see cref="Refusal"/>) after the producer last stored a
    /// batch here, or after a leader took over: clients resend what was refused or timed out within a metadata refresh
    /// and a backoff of at most a second or two, well inside this; a producer that never resends gets the true answer
    /// after it.
    /// </summary>
    public static readonly TimeSpan GapGrace = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The answer to a batch whose gap outlasted the wait. Kafka answers OUT_OF_ORDER_SEQUENCE_NUMBER, and over one TCP
    /// connection processed in order that means the batch before it failed. Here the batch before it may also still be
    /// on its way (held up in another silo's front door or behind a slow turn), or have been stored with its answer
    /// lost (a call that timed out). librdkafka bumps its producer epoch on OUT_OF_ORDER_SEQUENCE_NUMBER for a batch
    /// behind an unanswered or failed one (its issue 4953) and resends its unacknowledged records under the new
    /// epoch, storing twice any that were stored: the fault soak's duplicates, one right after a leader change, one
    /// while the controller was cut off. NOT_LEADER_OR_FOLLOWER makes every client refresh its metadata and resend in
    /// order under the same epoch, where a stored batch is recognized as a retry. So that is the answer while the gap
    /// can still be filled: the producer stored a batch here within <see cref="GapGrace"/>, or the leader took over
    /// within it and the producer has written nothing to it yet (its earlier batches went to the previous leader).
    /// </summary>
    /// <param name="leading">How long this replica has led.</param>
    /// <param name="sinceProducerAppended">How long since the producer last stored a batch here; null if never.</param>
    public static HubException Refusal(HubException outOfOrder, bool followsEarlierLeadersBatches, TimeSpan leading, TimeSpan? sinceProducerAppended) =>
        sinceProducerAppended < GapGrace || (followsEarlierLeadersBatches && leading < GapGrace)
            ? new HubException(ErrorCode.NotLeaderOrFollower,
                $"{outOfOrder.Message}: the batches before it are not stored here; send them again first")
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
