using Hub.Errors;
using Hub.Partitions;

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

    /// <summary>
    /// The configs set on this topic, at creation or since (AlterConfigs), under Kafka's names and as given; every
    /// other config has its default. <see cref="Config"/> is what they make. Null for a topic stored before configs
    /// could be altered: its values that differ from the defaults count as set.
    /// </summary>
    [Id(5)] public IReadOnlyDictionary<string, string>? SetConfigs { get; init; }

    /// <summary>Counts changes of <see cref="Config"/> after creation, so a replica ignores a notice older than what it applied.</summary>
    [Id(6)] public int ConfigVersion { get; init; }

    /// <summary>
    /// The key (<see cref="PartitionKey"/>) of the grain of <paramref name="partition"/>'s leader replica, which
    /// serves its produce and fetch: the one leader lookup of every front door. Refuses with the stale-metadata
    /// errors (see <see cref="StaleMetadata"/>) UNKNOWN_TOPIC_OR_PARTITION when the topic has no such partition
    /// and LEADER_NOT_AVAILABLE while none of the partition's in-sync replicas is alive.
    /// </summary>
    public string LeaderKey(int partition)
    {
        if ((uint)partition >= (uint)PartitionCount)
            throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' has no partition {partition}");
        var assignment = Partitions[partition];
        if (!assignment.HasLeader)
            throw new HubException(ErrorCode.LeaderNotAvailable, $"{Name}-{partition} has no leader: none of its in-sync replicas is alive");
        return PartitionKey.Format(Name, partition, assignment.Leader);
    }
}
