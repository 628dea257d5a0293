using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Position of an event in Hub: its record's partition and offset. Subscribing (or resuming) with a token
/// delivers the stream's events from that offset on, wherever they are: in the cache or still only in Hub.
/// Tokens order by offset; they compare only within one partition, as every stream lives in one.
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

    /// <summary>For information: a stream lives in one partition, so tokens compare by offset alone.</summary>
    [Id(0)] public int Partition { get; private set; }

    /// <summary>The record's offset in its partition.</summary>
    public long Offset => SequenceNumber;

    [Id(1)] public override long SequenceNumber { get; protected set; }

    /// <summary>Always 0: a record carries one event.</summary>
    [Id(2)] public override int EventIndex { get; protected set; }

    /// <summary>Subscribing with this token replays the stream from its earliest retained record.</summary>
    public static HubSequenceToken Earliest { get; } = AtOffset(0);

    /// <summary>A position to subscribe from, given as an offset in the stream's partition.</summary>
    public static HubSequenceToken AtOffset(long offset) => new(AnyPartition, offset);

    public override bool Equals(StreamSequenceToken? other) =>
        other is HubSequenceToken token && token.Partition == Partition && token.SequenceNumber == SequenceNumber;

    public override bool Equals(object? obj) => Equals(obj as StreamSequenceToken);

    public override int GetHashCode() => HashCode.Combine(Partition, SequenceNumber);

    public override int CompareTo(StreamSequenceToken? other) => other switch
    {
        null => 1,
        HubSequenceToken token => SequenceNumber.CompareTo(token.SequenceNumber),
        _ => throw new ArgumentException($"a Hub stream compares only with HubSequenceToken, not {other.GetType().Name}", nameof(other)),
    };

    public override string ToString() => $"{Partition}@{SequenceNumber}";
}
