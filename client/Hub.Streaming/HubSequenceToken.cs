using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Position of an event in Hub: its record's partition and offset. Subscribing (or resuming) with a token
/// delivers the stream's events of that partition from that offset on, wherever they are: in the cache or still
/// only in Hub. A stream lives in one partition until its topic gains partitions; then its newer events come
/// from the partition its key maps to now, and a token of the old partition says nothing about the new one
/// (that partition's events are delivered from where its reader is). Tokens order by offset, which means
/// something only within one partition.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class HubSequenceToken : StreamSequenceToken
{
    /// <summary>Partition of a token made from an offset alone (<see cref="AtOffset"/>).</summary>
    public const int AnyPartition = -1;

    public HubSequenceToken(int partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partition, AnyPartition);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Partition = partition;
        SequenceNumber = offset;
    }

    /// <summary>The record's partition, or <see cref="AnyPartition"/>: the partition the stream's key maps to now.</summary>
    [Id(0)] public int Partition { get; private set; }

    /// <summary>The record's offset in its partition.</summary>
    public long Offset => SequenceNumber;

    [Id(1)] public override long SequenceNumber { get; protected set; }

    /// <summary>Always 0: a record carries one event.</summary>
    [Id(2)] public override int EventIndex { get; protected set; }

    /// <summary>Subscribing with this token replays the stream from its earliest retained record, in every partition.</summary>
    public static HubSequenceToken Earliest { get; } = AtOffset(0);

    /// <summary>A position to subscribe from, given as an offset in the partition the stream's key maps to now.</summary>
    public static HubSequenceToken AtOffset(long offset) => new(AnyPartition, offset);

    public override bool Equals(StreamSequenceToken? other) =>
        other is HubSequenceToken token && token.Partition == Partition && token.SequenceNumber == SequenceNumber;

    public override bool Equals(object? obj) => Equals(obj as StreamSequenceToken);

    public override int GetHashCode() => HashCode.Combine(Partition, SequenceNumber);

    public override int CompareTo(StreamSequenceToken? other) => other switch
    {
        null => 1,
        // Offsets of two partitions don't order events; the partition only makes the order total.
        HubSequenceToken token => SequenceNumber != token.SequenceNumber ? SequenceNumber.CompareTo(token.SequenceNumber) : Partition.CompareTo(token.Partition),
        _ => throw new ArgumentException($"a Hub stream compares only with HubSequenceToken, not {other.GetType().Name}", nameof(other)),
    };

    public override string ToString() => $"{Partition}@{SequenceNumber}";
}
