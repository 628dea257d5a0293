using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
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

    /// <summary>
    /// Most names one controller call looks up. A request may name millions of topics (10 million short names fit in
    /// a 100 MiB frame); with more misses than this, one listing of every topic answers instead, whose size is the
    /// cluster's, not the request's. A thousand names keep the call's message well under a MiB.
    /// </summary>
    public const int MaxNamesPerLookup = 1000;

    private readonly ConcurrentDictionary<string, (TopicMetadata Topic, long LoadedAt)> _byName = new(StringComparer.Ordinal);

    public IClusterControllerGrain Controller => grains.GetGrain<IClusterControllerGrain>(0);

    /// <summary>The topic or null; <paramref name="needPartition"/> forces a reload when the cached copy has fewer partitions.</summary>
    public async ValueTask<TopicMetadata?> GetAsync(string name, int needPartition = -1) =>
        TryGetCached(name, needPartition, out var cached) ? cached : Remember(await Controller.GetTopic(name), name);

    /// <summary>
    /// The topics of these names (a missing name: no such topic), each as <see cref="GetAsync"/> would answer it (the
    /// value is the partition it must have), at the cost of one controller call at most (see <see cref="LookUpAsync"/>).
    /// </summary>
    public async Task<Dictionary<string, TopicMetadata>> GetManyAsync(IReadOnlyDictionary<string, int> needPartitions)
    {
        var found = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
        List<string>? misses = null;
        foreach (var (name, needPartition) in needPartitions)
        {
            if (TryGetCached(name, needPartition, out var topic)) found[name] = topic;
            else (misses ??= []).Add(name);
        }
        if (misses is null) return found;
        var looked = await LookUpAsync(misses);
        foreach (var name in misses)
        {
            if (looked.TryGetValue(name, out var topic)) found[name] = topic;
        }
        return found;
    }

    /// <summary>
    /// <see cref="GetManyAsync(IReadOnlyDictionary{string, int})"/> for topics named with their partitions: each name
    /// needs the largest partition named with it.
    /// </summary>
    public Task<Dictionary<string, TopicMetadata>> GetManyAsync(IEnumerable<(string Name, IEnumerable<int> Partitions)> named)
    {
        var needPartitions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, partitions) in named)
            needPartitions[name] = Math.Max(needPartitions.GetValueOrDefault(name, -1), partitions.DefaultIfEmpty(-1).Max());
        return GetManyAsync(needPartitions);
    }

    /// <summary>The fresh cached topic of this name holding partition <paramref name="needPartition"/>, if there is one.</summary>
    public bool TryGetCached(ReadOnlySpan<char> name, int needPartition, [NotNullWhen(true)] out TopicMetadata? topic)
    {
        topic = _byName.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var cached)
            && time.GetElapsedTime(cached.LoadedAt) < MaxAge && needPartition < cached.Topic.PartitionCount ? cached.Topic : null;
        return topic is not null;
    }

    /// <summary>
    /// The existing topics among <paramref name="names"/> (distinct), keyed by name, from one controller call: by name
    /// for up to <see cref="MaxNamesPerLookup"/> names, else the listing of every topic (then the answer holds the
    /// others too). Remembers what it learnt; names the answer lacks are forgotten.
    /// </summary>
    public async Task<Dictionary<string, TopicMetadata>> LookUpAsync(IReadOnlyCollection<string> names)
    {
        var answer = names.Count <= MaxNamesPerLookup ? await Controller.GetTopics([.. names]) : await Controller.ListTopics();
        var found = new Dictionary<string, TopicMetadata>(answer.Count, StringComparer.Ordinal);
        foreach (var topic in answer) found[Remember(topic, topic.Name)!.Name] = topic;
        foreach (var name in names)
        {
            if (!found.ContainsKey(name)) Forget(name);
        }
        return found;
    }

    /// <summary>The topics of these ids (a missing id: no such topic): cached first, then one fresh listing if any is missing.</summary>
    public async Task<Dictionary<Guid, TopicMetadata>> GetManyByIdAsync(IReadOnlySet<Guid> ids)
    {
        var found = new Dictionary<Guid, TopicMetadata>();
        foreach (var (topic, loadedAt) in _byName.Values)
        {
            if (time.GetElapsedTime(loadedAt) < MaxAge && ids.Contains(topic.TopicId)) found[topic.TopicId] = topic;
        }
        if (found.Count == ids.Count) return found;
        foreach (var topic in await ListAsync())
        {
            if (ids.Contains(topic.TopicId)) found[topic.TopicId] = topic;
        }
        return found;
    }

    /// <summary>Every topic, fresh from the controller (Metadata for all topics, topic id lookups).</summary>
    public async Task<IReadOnlyList<TopicMetadata>> ListAsync()
    {
        var topics = await Controller.ListTopics();
        foreach (var topic in topics) Remember(topic, topic.Name);
        return topics;
    }

    /// <summary>The topic with this id or null: cached first, then one fresh listing.</summary>
    public async ValueTask<TopicMetadata?> GetByIdAsync(Guid id) => (await GetManyByIdAsync(new HashSet<Guid> { id })).GetValueOrDefault(id);

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
