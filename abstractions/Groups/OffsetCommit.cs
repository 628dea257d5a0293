namespace Hub.Groups;

/// <summary>One partition's offset to commit: the next offset the group should read (last processed + 1).</summary>
[GenerateSerializer, Immutable]
public sealed record OffsetCommitEntry(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] long Offset,
    [property: Id(3)] int LeaderEpoch = -1,
    [property: Id(4)] string? Metadata = null);

/// <summary>
/// Kafka's OffsetCommit request. A member of the group sends its member id and the current generation; a
/// client outside group management (admin tools, assign()-style consumers) sends generation -1 and an empty
/// member id, which is accepted only while the group has no members.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OffsetCommitRequest
{
    public const int NoGeneration = -1;

    [Id(0)] public int GenerationId { get; init; } = NoGeneration;

    [Id(1)] public string MemberId { get; init; } = "";

    [Id(2)] public string? GroupInstanceId { get; init; }

    [Id(3)] public OffsetCommitEntry[] Offsets { get; init; } = [];
}

/// <summary>
/// A committed offset (OffsetFetch). <see cref="Offset"/> is -1 when the group has committed nothing for the
/// partition; <see cref="CommitTimestampMs"/> is when the group stored it (Unix ms).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CommittedOffset(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] long Offset,
    [property: Id(3)] int LeaderEpoch,
    [property: Id(4)] string? Metadata,
    [property: Id(5)] long CommitTimestampMs)
{
    public const long None = -1;

    public TopicPartition TopicPartition => new(Topic, Partition);

    public bool Exists => Offset != None;
}
