namespace Hub.Silo.InterBroker;

/// <summary>
/// Where a leader epoch ends in a leader's log (Kafka's OffsetForLeaderEpoch answer, KIP-320): the largest epoch of
/// the log not above the one asked for, and the offset after its last record. <see cref="Unknown"/> when the log
/// has no such epoch.
/// </summary>
[GenerateSerializer, Immutable]
internal readonly record struct EpochEndOffset([property: Id(0)] int LeaderEpoch, [property: Id(1)] long EndOffset)
{
    public static readonly EpochEndOffset Unknown = new(-1, -1);
}
