using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Hosting;
using Hub.Silo.Placement;
using Hub.Silo.Topics;
using Hub.Topics;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Grains;

/// <summary>
/// Holds topic metadata durably and decides where partitions live. Metadata is written before any replica
/// is touched, so a crash mid-way leaves either no topic or a topic whose replicas create their logs lazily.
/// </summary>
public sealed class ClusterControllerGrain(
    [PersistentState("cluster", HubStorage.Name)] IPersistentState<ClusterMetadataState> state,
    BrokerDirectory brokers,
    TimeProvider time,
    ILogger<ClusterControllerGrain> logger) : Grain, IClusterControllerGrain
{
    /// <summary>Bounds one topic's partitions so a typo can't create millions of replica grains.</summary>
    public const int MaxPartitionsPerTopic = 100_000;

    private Dictionary<string, TopicMetadata> Topics => state.State.Topics;

    public async Task<TopicMetadata> CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string>? configs = null)
    {
        TopicNames.Validate(name);
        ValidatePartitionCount(partitions);
        var config = TopicConfigParser.Parse(configs);
        if (Topics.ContainsKey(name)) throw new HubException(ErrorCode.TopicAlreadyExists, $"topic '{name}' already exists");

        var topic = new TopicMetadata(name, Guid.NewGuid(), config, time.GetUtcNow(), Assign(0, partitions));
        Topics[name] = topic;
        await state.WriteStateAsync();
        logger.LogInformation("Created topic {Topic} with {Partitions} partitions", name, partitions);
        return topic;
    }

    public async Task DeleteTopic(string name)
    {
        var topic = Require(name);
        Topics.Remove(name);
        await state.WriteStateAsync();
        // Replicas are told after the metadata is gone: a replica that misses this finds its topic id unknown
        // on its next activation and wipes its directory then.
        await Task.WhenAll(topic.Partitions.SelectMany(p => p.Replicas.Select(broker =>
            GrainFactory.GetGrain<IPartitionGrain>(PartitionKey.Format(name, p.Partition, broker)).DeleteLog())));
        logger.LogInformation("Deleted topic {Topic}", name);
    }

    public async Task<TopicMetadata> AddPartitions(string name, int totalPartitions)
    {
        var topic = Require(name);
        ValidatePartitionCount(totalPartitions);
        if (totalPartitions <= topic.PartitionCount)
            throw new HubException(ErrorCode.InvalidPartitions,
                $"topic '{name}' has {topic.PartitionCount} partitions; the new count must be larger, got {totalPartitions}");
        var grown = topic with { Partitions = [.. topic.Partitions, .. Assign(topic.PartitionCount, totalPartitions - topic.PartitionCount)] };
        Topics[name] = grown;
        await state.WriteStateAsync();
        return grown;
    }

    public Task<TopicMetadata?> GetTopic(string name) =>
        Task.FromResult(Topics.GetValueOrDefault(name));

    public Task<IReadOnlyList<TopicMetadata>> ListTopics() =>
        Task.FromResult<IReadOnlyList<TopicMetadata>>(Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray());

    private TopicMetadata Require(string name) =>
        Topics.GetValueOrDefault(name) ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");

    private static void ValidatePartitionCount(int partitions)
    {
        if (partitions is < 1 or > MaxPartitionsPerTopic)
            throw new HubException(ErrorCode.InvalidPartitions, $"partition count must be between 1 and {MaxPartitionsPerTopic}, got {partitions}");
    }

    /// <summary>Spreads leaders round-robin over the live brokers, one replica each.</summary>
    private PartitionAssignment[] Assign(int firstPartition, int count)
    {
        var live = brokers.LiveBrokers();
        if (live.Count == 0) throw new HubException(ErrorCode.LeaderNotAvailable, "no broker is available to hold the partitions");
        return Enumerable.Range(firstPartition, count)
            .Select(p => new PartitionAssignment(p, live[p % live.Count], LeaderEpoch: 0, Replicas: [live[p % live.Count]]))
            .ToArray();
    }
}
