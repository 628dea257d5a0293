using System.Collections.Concurrent;
using Hub.Errors;
using Hub.Grains;
using Hub.Quotas;
using Hub.Topics;

namespace Hub.Tests.Client;

/// <summary>Topic metadata kept in a dictionary; every partition starts led by broker 1.</summary>
internal sealed class InMemoryClusterController : IClusterControllerGrain
{
    private readonly ConcurrentDictionary<string, TopicMetadata> _topics = new();

    /// <summary>Topic lookups: calls of <see cref="GetTopic"/> and <see cref="GetTopics"/>.</summary>
    public int GetTopicCalls;

    public Task<TopicMetadata> CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string>? configs = null, short replicationFactor = -1,
        int[][]? replicaAssignment = null)
    {
        var metadata = new TopicMetadata(name, Guid.NewGuid(), TopicConfig.Default, DateTimeOffset.UtcNow, Assign(0, partitions));
        return _topics.TryAdd(name, metadata)
            ? Task.FromResult(metadata)
            : Task.FromException<TopicMetadata>(new HubException(ErrorCode.TopicAlreadyExists, $"topic '{name}' already exists"));
    }

    public Task DeleteTopic(string name) => Task.FromResult(_topics.TryRemove(name, out _));

    public Task<IReadOnlyList<LeaderElectionResult>> ElectLeaders(bool unclean, Hub.Groups.TopicPartition[]? partitions) =>
        throw new NotSupportedException("the SDK's routing tests elect no leaders");

    public Task<TopicMetadata> AddPartitions(string name, int totalPartitions, int[][]? replicaAssignment = null)
    {
        var topic = _topics[name];
        var grown = topic with { Partitions = [.. topic.Partitions, .. Assign(topic.PartitionCount, totalPartitions - topic.PartitionCount)] };
        _topics[name] = grown;
        return Task.FromResult(grown);
    }

    /// <summary>While set, a topic lookup answers only once this completes, so a test can act while one is under way.</summary>
    public Task? LookupGate { get; set; }

    public async Task<TopicMetadata?> GetTopic(string name) => (await GetTopics([name])).SingleOrDefault();

    public async Task<IReadOnlyList<TopicMetadata>> GetTopics(string[] names)
    {
        Interlocked.Increment(ref GetTopicCalls);
        if (LookupGate is { } gate) await gate;
        return names.Select(_topics.GetValueOrDefault).OfType<TopicMetadata>().ToArray();
    }

    public Task<IReadOnlyList<TopicMetadata>> ListTopics() => Task.FromResult<IReadOnlyList<TopicMetadata>>([.. _topics.Values]);

    /// <summary>While set, reading the client quotas fails, as with the controller's store down.</summary>
    public bool QuotasUnreadable { get; set; }

    public Task<IReadOnlyList<ClientQuota>> DescribeClientQuotas() => QuotasUnreadable
        ? Task.FromException<IReadOnlyList<ClientQuota>>(new HubException(ErrorCode.RequestTimedOut, "the controller is unavailable"))
        : Task.FromResult<IReadOnlyList<ClientQuota>>([]);

    public Task AlterClientQuotas(IReadOnlyList<ClientQuotaAlteration> alterations) => throw new NotSupportedException();

    public Task<IReadOnlyList<TopicConfigChangeResult>> AlterTopicConfigs(IReadOnlyList<TopicConfigChange> changes, bool validateOnly = false) =>
        throw new NotSupportedException();


    public void MoveLeader(string name, int partition, int broker)
    {
        var topic = _topics[name];
        var partitions = topic.Partitions.ToArray();
        partitions[partition] = partitions[partition] with { Leader = broker, LeaderEpoch = partitions[partition].LeaderEpoch + 1 };
        _topics[name] = topic with { Partitions = partitions };
    }

    public int LeaderOf(string name, int partition) =>
        _topics.TryGetValue(name, out var topic) && partition < topic.PartitionCount
            ? topic.Partitions[partition].Leader
            : throw new HubException(ErrorCode.UnknownTopicOrPartition, $"no partition {name}/{partition}");

    private static PartitionAssignment[] Assign(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(p => new PartitionAssignment(p, Leader: 1, LeaderEpoch: 0, Replicas: [1]))];
}
