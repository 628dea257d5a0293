using Hub.Partitions;

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

    /// <summary>Long-polls up to the request's max wait; a waiting fetch never blocks appends.</summary>
    Task<FetchResult> Fetch(FetchRequest request);

    /// <summary>Earliest (<see cref="OffsetSpec.Earliest"/>), latest, or first offset with timestamp ≥ the given ms.</summary>
    Task<OffsetAndTimestamp> ListOffset(long timestamp);

    Task<PartitionState> GetState();

    /// <summary>Removes the replica's files; used when its topic is deleted.</summary>
    Task DeleteLog();
}
