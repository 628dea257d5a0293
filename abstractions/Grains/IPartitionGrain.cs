using Hub.Partitions;
using Orleans.Concurrency;

namespace Hub.Grains;

/// <summary>
/// One partition replica and its segment log on one broker; keyed by <see cref="PartitionKey"/>.
/// Failures surface as <see cref="Errors.HubException"/> with a Kafka error code.
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates and appends one or more concatenated v2 record batches (base offsets are assigned here),
    /// all or nothing.
    /// </summary>
    Task<AppendResult> Append(ReadOnlyMemory<byte> batches);

    /// <summary>Long-polls without holding the grain's turn, so waiting consumers never block appends.</summary>
    [AlwaysInterleave]
    Task<FetchResult> Fetch(FetchRequest request);

    /// <summary>Earliest (<see cref="OffsetSpec.Earliest"/>), latest, or first offset with timestamp ≥ the given ms.</summary>
    [AlwaysInterleave]
    Task<OffsetAndTimestamp> ListOffset(long timestamp);

    [AlwaysInterleave]
    Task<PartitionState> GetState();

    /// <summary>Removes the replica's files; used when its topic is deleted.</summary>
    Task DeleteLog();
}
