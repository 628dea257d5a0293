using Hub.Errors;

namespace Hub.Client.Metadata;

/// <summary>
/// Which failed partition and controller calls are worth another try, for how long, and the pause between
/// tries: shared by the router's own retries and the producer's, which retries batches itself to keep them in order.
/// </summary>
internal static class RetryPolicy
{
    /// <summary>
    /// How long a call keeps retrying while the partition has no reachable leader: long enough for a failover
    /// (a dead silo is declared dead in about a second, then the controller elects a new leader).
    /// </summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A call already on its way to a silo that then dies may go unanswered until Orleans' response timeout
    /// (30 s); such a call still earns its retries.
    /// </summary>
    public static readonly TimeSpan ResponseTimeoutAllowance = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan UnknownPartitionRetryFor = TimeSpan.FromSeconds(1.5);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long to keep retrying after this failure: a stale-metadata refusal, too few replicas in sync before
    /// or after the append was written (a follower's silo died and the ISR is shrinking; both retriable in
    /// Kafka's producer too), or the leader's silo failing under the call (dying or dead).
    /// </summary>
    public static TimeSpan RetryBudget(Exception e) => e switch
    {
        // Most likely a real mistake (no such topic or partition); a brief retry covers a topic just created.
        HubException { Code: ErrorCode.UnknownTopicOrPartition } => UnknownPartitionRetryFor,
        HubException hub => StaleMetadata.IsSignalledBy(hub.Code) || TooFewInSync(hub.Code) ? RetryFor : TimeSpan.Zero,
        _ => IsSiloLost(e) ? RetryFor + ResponseTimeoutAllowance : TimeSpan.Zero,
    };

    /// <summary>The call's target silo failed or vanished under it (refused, or never answered: Orleans' TimeoutException).</summary>
    public static bool IsSiloLost(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;

    /// <summary>
    /// A coordinator call refused for a while: its silo is lost, its state is loading or could not be stored, or it is
    /// still writing the markers of the previous transaction (as Kafka's producer retries those).
    /// </summary>
    public static bool IsCoordinatorBusy(Exception e) => IsSiloLost(e) || e is HubException
    {
        Code: ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress or ErrorCode.NotCoordinator or ErrorCode.ConcurrentTransactions,
    };

    /// <summary>The pause before retry number <paramref name="retry"/> (from 1): doubling from 50 ms up to 1 s.</summary>
    public static TimeSpan DelayBefore(int retry) =>
        TimeSpan.FromTicks(Math.Min(FirstRetryDelay.Ticks << Math.Min(retry - 1, 30), MaxRetryDelay.Ticks));

    private static bool TooFewInSync(ErrorCode code) => code is ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend;
}
