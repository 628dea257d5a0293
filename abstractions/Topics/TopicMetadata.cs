namespace Hub.Topics;

/// <summary>What the cluster knows about one topic: its settings and where each partition lives.</summary>
[GenerateSerializer, Immutable]
public sealed record TopicMetadata(
    [property: Id(0)] string Name,
    [property: Id(1)] Guid TopicId,
    [property: Id(2)] TopicConfig Config,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] PartitionAssignment[] Partitions)
{
    public int PartitionCount => Partitions.Length;
}
