using System.Collections.Concurrent;
using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;
using Hub.Topics;

namespace Hub.Silo.Kafka.Metadata;

/// <summary>
/// Topic metadata as the Kafka gateway sees it: read from the cluster controller and cached briefly, so a
/// produce or fetch costs no controller call. A cached answer is refreshed when it is older than
/// <see cref="MaxAge"/>, when it lacks a partition a client asks for (partitions were added), and when a
/// call to a partition fails with a stale-metadata error (<see cref="Failed"/>: the topic is unknown, deleted or
/// re-created, or its leader moved). Unknown topics are not cached, so a new topic is visible at once.
/// </summary>
internal sealed class KafkaTopics(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (TopicMetadata Topic, long LoadedAt)> _byName = new(StringComparer.Ordinal);

    public IClusterControllerGrain Controller => grains.GetGrain<IClusterControllerGrain>(0);

    /// <summary>The topic or null; <paramref name="needPartition"/> forces a reload when the cached copy has fewer partitions.</summary>
    public async ValueTask<TopicMetadata?> GetAsync(string name, int needPartition = -1)
    {
        if (_byName.TryGetValue(name, out var cached) && time.GetElapsedTime(cached.LoadedAt) < MaxAge
            && needPartition < cached.Topic.PartitionCount)
            return cached.Topic;
        return Remember(await Controller.GetTopic(name), name);
    }

    /// <summary>Every topic, fresh from the controller (Metadata for all topics, topic id lookups).</summary>
    public async Task<IReadOnlyList<TopicMetadata>> ListAsync()
    {
        var topics = await Controller.ListTopics();
        foreach (var topic in topics) Remember(topic, topic.Name);
        return topics;
    }

    /// <summary>The topic with this id or null: cached first, then one fresh listing.</summary>
    public async ValueTask<TopicMetadata?> GetByIdAsync(Guid id)
    {
        foreach (var (topic, loadedAt) in _byName.Values)
        {
            if (topic.TopicId == id && time.GetElapsedTime(loadedAt) < MaxAge) return topic;
        }
        return (await ListAsync()).FirstOrDefault(t => t.TopicId == id);
    }

    public TopicMetadata? Remember(TopicMetadata? topic, string name)
    {
        if (topic is null) _byName.TryRemove(name, out _);
        else _byName[name] = (topic, time.GetTimestamp());
        return topic;
    }

    public void Forget(string name) => _byName.TryRemove(name, out _);

    /// <summary>
    /// Why a request can't reach the leader of <paramref name="partition"/> of <paramref name="topic"/> (null: no such
    /// topic), as Kafka answers it; None when it can.
    /// </summary>
    public static ErrorCode Unreachable(TopicMetadata? topic, int partition) =>
        topic is null || (uint)partition >= (uint)topic.PartitionCount ? ErrorCode.UnknownTopicOrPartition
        : !topic.Partitions[partition].HasLeader ? ErrorCode.LeaderNotAvailable
        : ErrorCode.None;

    /// <summary>
    /// The grain of the partition's leader replica (the data lives on that broker's silo), found by the one leader
    /// lookup, <see cref="TopicMetadata.LeaderKey"/>; when that refuses (no leader) the cached topic is dropped.
    /// </summary>
    public IPartitionGrain Partition(TopicMetadata topic, int partition) => Partition<IPartitionGrain>(topic, partition);

    /// <summary><see cref="Partition(TopicMetadata, int)"/> through another of the replica's interfaces (the silo-only one).</summary>
    public TGrain Partition<TGrain>(TopicMetadata topic, int partition) where TGrain : IPartitionGrain
    {
        try
        {
            return grains.GetGrain<TGrain>(topic.LeaderKey(partition));
        }
        catch (HubException)
        {
            Forget(topic.Name);
            throw;
        }
    }

    /// <summary>
    /// The Kafka error code for a failed call to one of <paramref name="topic"/>'s partitions; drops the cached
    /// topic when the error says it is stale (see <see cref="StaleMetadata"/>), so the next request reads it afresh.
    /// </summary>
    public ErrorCode Failed(string topic, Exception e)
    {
        var error = KafkaErrors.CodeOf(e);
        if (StaleMetadata.IsSignalledBy(error)) Forget(topic);
        return error;
    }
}
