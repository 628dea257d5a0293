using Hub.Partitions;
using Hub.Transactions;

namespace Hub.Grains;

/// <summary>
/// One partition replica and its segment log on one broker; keyed by <see cref="PartitionKey"/>. The replica on
/// the assignment's leader serves appends, fetches and offsets; the others are followers that copy the
/// leader's log (inter-broker calls, in the silo's <c>IInterBrokerPartitionGrain</c>) and answer anything else
/// with NOT_LEADER_OR_FOLLOWER.
/// Failures surface as <see cref="Errors.HubException"/> with a Kafka error code.
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates and appends one or more concatenated v2 record batches (base offsets are assigned here),
    /// all or nothing.
    /// </summary>
    /// <param name="batches">
    /// Borrowed (<see cref="PooledBatches.Borrow"/>): Orleans sends the bytes without first copying them, so the
    /// caller leaves the memory alone until the returned task completes, and may then reuse it or send it again
    /// (a retry). When the grain is in the caller's own silo (no serialization in between) the grain writes each
    /// batch's base offset and leader epoch into the caller's memory. The grain keeps no reference to the bytes
    /// once Append returns: it validates and writes them synchronously, then disposes the argument, which gives
    /// back the buffer deserialization rented for it.
    /// </param>
    /// <param name="acks">
    /// <see cref="RequiredAcks"/>: with All the call completes once every in-sync replica has the batches, and is
    /// refused (NOT_ENOUGH_REPLICAS, nothing written) while fewer than min.insync.replicas are in sync.
    /// </param>
    Task<AppendResult> Append(PooledBatches batches, short acks = RequiredAcks.All);

    /// <summary>Long-polls up to the request's max wait; a waiting fetch never blocks appends. The caller owns the result's records.</summary>
    /// <remarks>
    /// Consumers see records below the high watermark only (those every in-sync replica has), and at
    /// <see cref="IsolationLevel.ReadCommitted"/> below the last stable offset.
    /// </remarks>
    Task<FetchResult> Fetch(FetchRequest request);

    /// <summary>Earliest (<see cref="OffsetSpec.Earliest"/>), latest, the largest timestamp's record, or first offset with timestamp ≥ the given ms.</summary>
    /// <param name="currentLeaderEpoch">As <see cref="FetchRequest.CurrentLeaderEpoch"/>: -1, or the epoch the caller believes current.</param>
    /// <param name="isolationLevel">As <see cref="FetchRequest.IsolationLevel"/>: the latest offset is where a fetch at that level stops.</param>
    Task<OffsetAndTimestamp> ListOffset(long timestamp, int currentLeaderEpoch = -1, IsolationLevel isolationLevel = IsolationLevel.ReadCommitted);

    Task<PartitionState> GetState();

    /// <summary>
    /// Kafka's DeleteRecords on the leader: moves the log start up to <paramref name="offset"/> (-1: the high watermark),
    /// durably; records below it are gone for readers and whole segments below it deleted. Followers move theirs as they
    /// next fetch. OFFSET_OUT_OF_RANGE above the high watermark or for a negative offset other than -1. Returns the leader's log start.
    /// </summary>
    Task<long> DeleteRecords(long offset);

    /// <summary>The producers the leader's log remembers (Kafka's DescribeProducers): those not yet expired, by producer id.</summary>
    Task<ActiveProducer[]> DescribeProducers();
}
