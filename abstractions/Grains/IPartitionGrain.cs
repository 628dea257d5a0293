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
    /// <param name="batches">
    /// [Immutable]: Orleans sends these bytes without first copying them (a copy per batch cost a large-object
    /// allocation on every call). So the caller must leave the buffer alone until the returned task completes,
    /// and, when the grain is in the caller's own silo (no serialization in between), lets the grain write each
    /// batch's base offset and leader epoch into it. The grain keeps no reference to the memory once Append
    /// returns: it validates and writes the bytes synchronously.
    /// </param>
    Task<AppendResult> Append([Immutable] ReadOnlyMemory<byte> batches);

    /// <summary>Long-polls up to the request's max wait; a waiting fetch never blocks appends.</summary>
    Task<FetchResult> Fetch(FetchRequest request);

    /// <summary>Earliest (<see cref="OffsetSpec.Earliest"/>), latest, or first offset with timestamp ≥ the given ms.</summary>
    Task<OffsetAndTimestamp> ListOffset(long timestamp);

    Task<PartitionState> GetState();

    /// <summary>Removes the replica's files; used when its topic is deleted.</summary>
    Task DeleteLog();
}
