using Hub.Batches;

namespace Hub.Client;

/// <summary>
/// A record to produce. A null <see cref="Key"/> is spread by <see cref="ProducerOptions.NullKeyPartitioning"/>;
/// a null <see cref="Value"/> is a tombstone, distinct from an empty one. The arrays are read when the record
/// is buffered, so the caller may reuse them once Produce/ProduceAsync returns.
/// </summary>
public sealed record ProducerRecord
{
    public byte[]? Key { get; init; }

    public byte[]? Value { get; init; }

    public IReadOnlyList<RecordHeader>? Headers { get; init; }

    /// <summary>Creation time in Unix ms; null stamps the time of the produce call.</summary>
    public long? TimestampMs { get; init; }

    /// <summary>Sends to this partition, bypassing key hashing.</summary>
    public int? Partition { get; init; }
}
