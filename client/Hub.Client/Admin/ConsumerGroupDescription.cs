using Hub.Groups;

namespace Hub.Client;

/// <summary>
/// A consumer group as <c>kafka-consumer-groups --describe</c> shows it: its state, members with their
/// partitions, and per partition the committed offset, the log end and the lag between them.
/// </summary>
public sealed record ConsumerGroupDescription(
    string GroupId,
    GroupState State,
    string ProtocolType,
    string Protocol,
    int GenerationId,
    string LeaderId,
    IReadOnlyList<ConsumerGroupMember> Members,
    IReadOnlyList<GroupPartitionLag> Partitions);

/// <summary>A member and the partitions assigned to it (decoded when the group uses Kafka's consumer protocol encoding).</summary>
public sealed record ConsumerGroupMember(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    IReadOnlyList<TopicPartition> Assignment);

/// <summary>
/// One partition the group reads or has an offset for. <see cref="CommittedOffset"/> is null when nothing
/// is committed, <see cref="LogEndOffset"/> when the partition can't be reached (its topic was deleted);
/// <see cref="Lag"/> (log end − committed) needs both. <see cref="MemberId"/>: who reads it now, if anyone.
/// </summary>
public sealed record GroupPartitionLag(
    string Topic,
    int Partition,
    long? CommittedOffset,
    long? LogEndOffset,
    long? Lag,
    string? MemberId,
    string? Metadata);

/// <summary>Where <see cref="HubAdmin.ResetOffsetsAsync"/> moves a group's offsets (kafka-consumer-groups --reset-offsets --to-...).</summary>
public abstract record OffsetResetTarget
{
    private OffsetResetTarget() { }

    /// <summary>Each partition's earliest retained offset.</summary>
    public static OffsetResetTarget Earliest { get; } = new EarliestTarget();

    /// <summary>Each partition's end: the group skips everything written so far.</summary>
    public static OffsetResetTarget Latest { get; } = new LatestTarget();

    /// <summary>The first offset whose record timestamp is at or after <paramref name="timestamp"/> (the end where none is).</summary>
    public static OffsetResetTarget ToTimestamp(DateTimeOffset timestamp) => new TimestampTarget(timestamp);

    /// <summary>This offset in every partition, moved into the retained range where it lies outside (as Kafka's tool does).</summary>
    public static OffsetResetTarget ToOffset(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new OffsetTarget(offset);
    }

    internal sealed record EarliestTarget : OffsetResetTarget
    {
        public override string ToString() => "earliest";
    }

    internal sealed record LatestTarget : OffsetResetTarget
    {
        public override string ToString() => "latest";
    }

    internal sealed record TimestampTarget(DateTimeOffset Timestamp) : OffsetResetTarget
    {
        public override string ToString() => $"timestamp {Timestamp:O}";
    }

    internal sealed record OffsetTarget(long Offset) : OffsetResetTarget
    {
        public override string ToString() => $"offset {Offset}";
    }
}
