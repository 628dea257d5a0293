using Hub.Silo.Controller;
using Hub.Silo.Grains;
using Hub.Silo.Partitions;
using Hub.Silo.Configuration;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Placement;
using Hub.Silo.Topics;
using Hub.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Hub.Silo.Controller;

/// <summary>
/// Holds topic metadata durably and decides where partitions live and who leads them, as KRaft's controller.
/// Metadata is written before any replica is touched, so a crash mid-way leaves either no topic or a topic
/// whose replicas create their logs lazily; replicas learn of leader and ISR changes through one-way
/// <see cref="IPartitionGrain.ApplyAssignment"/> calls after the write, and re-read the metadata when a call
/// fails, so a lost notification only delays them.
/// <para>
/// Leaders: replica i of partition p is broker (p + i) mod n of the n live brokers at creation, so leaders
/// (replica 0, the preferred leader) spread evenly. When a leader's broker dies, the first live replica in the
/// ISR takes over with the leader epoch bumped; with none alive the partition has no leader until one returns
/// (no unclean election: that could lose acknowledged records). Leadership goes back to the preferred
/// replica once it rejoins the ISR.
/// </para>
/// <para>
/// A broker gone longer than <see cref="HubSiloOptions.DeadBrokerReplacementDelay"/> is replaced: each of its
/// replicas moves to the live broker holding the fewest replicas among those without one of that partition; the
/// new replica copies the leader's log and joins the ISR once caught up. Without a spare broker the partition
/// stays under-replicated until the broker returns.
/// </para>
/// </summary>
internal sealed class ClusterControllerGrain(
    [PersistentState("cluster", HubStorage.Name)] IPersistentState<ClusterMetadataState> state,
    BrokerDirectory brokers,
    IOptions<HubSiloOptions> options,
    TimeProvider time,
    ILogger<ClusterControllerGrain> logger) : Grain, IInterBrokerControllerGrain
{
    /// <summary>Bounds one topic's partitions so a typo can't create millions of replica grains.</summary>
    public const int MaxPartitionsPerTopic = 100_000;

    /// <summary>Kafka's default.replication.factor is 1; Hub takes min(3, live brokers) so a cluster is safe by default.</summary>
    public const int DefaultReplicationFactor = 3;

    /// <summary>Brokers live at the last <see cref="BrokersChanged"/>, to spot those that just joined.</summary>
    private HashSet<int> _knownLive = [];

    /// <summary>When each broker that holds replicas was first seen gone (cleared when it returns).</summary>
    private readonly Dictionary<int, DateTimeOffset> _goneSince = [];

    private IGrainTimer? _replacementTimer;

    private Dictionary<string, TopicMetadata> Topics => state.State.Topics;

    public async Task<TopicMetadata> CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string>? configs = null, short replicationFactor = -1)
    {
        TopicNames.Validate(name);
        ValidatePartitionCount(partitions);
        var config = TopicConfigParser.Parse(configs);
        if (Topics.ContainsKey(name)) throw new HubException(ErrorCode.TopicAlreadyExists, $"topic '{name}' already exists");
        var live = brokers.LiveBrokers();
        var replicas = replicationFactor == -1 ? Math.Min(DefaultReplicationFactor, live.Count) : replicationFactor;
        if (replicas < 1 || replicas > live.Count)
            throw new HubException(ErrorCode.InvalidReplicationFactor,
                $"replication factor {replicationFactor} must be between 1 and the {live.Count} live broker(s)");
        if (config.MinInSyncReplicas > replicas)
            throw new HubException(ErrorCode.InvalidConfig, $"min.insync.replicas {config.MinInSyncReplicas} is more than the replication factor {replicas}: acks=all writes could never succeed");

        var topic = new TopicMetadata(name, Guid.NewGuid(), config, time.GetUtcNow(), Assign(0, partitions, replicas));
        Topics[name] = topic;
        await WriteStateAsync();
        logger.LogInformation("Created topic {Topic} with {Partitions} partitions and {Replicas} replicas each", name, partitions, replicas);
        return topic;
    }

    public async Task DeleteTopic(string name)
    {
        var topic = Require(name);
        Topics.Remove(name);
        await WriteStateAsync();
        // Replicas are told after the metadata is gone: a replica that misses this finds its topic id unknown
        // on its next activation and wipes its directory then.
        await Task.WhenAll(topic.Partitions.SelectMany(p => p.Replicas.Select(broker =>
            GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(name, p.Partition, broker)).DeleteLog())));
        logger.LogInformation("Deleted topic {Topic}", name);
    }

    public async Task<TopicMetadata> AddPartitions(string name, int totalPartitions)
    {
        var topic = Require(name);
        ValidatePartitionCount(totalPartitions);
        if (totalPartitions <= topic.PartitionCount)
            throw new HubException(ErrorCode.InvalidPartitions,
                $"topic '{name}' has {topic.PartitionCount} partitions; the new count must be larger, got {totalPartitions}");
        var replicas = Math.Min(topic.Partitions[0].Replicas.Length, brokers.LiveBrokers().Count);
        var grown = topic with { Partitions = [.. topic.Partitions, .. Assign(topic.PartitionCount, totalPartitions - topic.PartitionCount, replicas)] };
        Topics[name] = grown;
        await WriteStateAsync();
        return grown;
    }

    public Task<TopicMetadata?> GetTopic(string name) =>
        Task.FromResult(Topics.GetValueOrDefault(name));

    public Task<IReadOnlyList<TopicMetadata>> ListTopics() =>
        Task.FromResult<IReadOnlyList<TopicMetadata>>(Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray());

    public async Task<PartitionAssignment> AlterIsr(string topicName, int partition, int leaderBroker, int basedOnVersion, int[] isr)
    {
        var topic = Require(topicName);
        if ((uint)partition >= (uint)topic.PartitionCount)
            throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{topicName}' has no partition {partition}");
        var current = topic.Partitions[partition];
        if (current.Leader != leaderBroker || current.Version != basedOnVersion) return current;
        if (!isr.Contains(leaderBroker) || !isr.All(current.Replicas.Contains))
            throw new HubException(ErrorCode.InvalidRequest, $"ISR {string.Join(",", isr)} must hold the leader and only replicas of the partition");
        var ordered = current.Replicas.Where(isr.Contains).ToArray();
        var updated = current with { Isr = ordered, Version = current.Version + 1 };
        // The preferred leader is back in sync: hand leadership back, so leaders stay spread over the brokers.
        var preferred = current.Replicas[0];
        if (preferred != current.Leader && ordered.Contains(preferred) && brokers.LiveBrokers().Contains(preferred))
            updated = updated with { Leader = preferred, LeaderEpoch = current.LeaderEpoch + 1 };
        await Save(topic, [updated]);
        logger.LogInformation("{Topic}-{Partition}: ISR {Old} -> {New}, leader {Leader} epoch {Epoch}", topicName, partition,
            string.Join(",", current.InSync), string.Join(",", ordered), updated.Leader, updated.LeaderEpoch);
        if (updated.Leader != current.Leader) Notify(topic.Name, updated, brokers.LiveBrokers());
        return updated;
    }

    public async Task BrokersChanged()
    {
        if (!brokers.IsSettled())
            throw new HubException(ErrorCode.LeaderNotAvailable, "cluster membership is settling: a new silo's broker id is not known here yet");
        var live = brokers.LiveBrokers().ToHashSet();
        var joined = live.Except(_knownLive).ToHashSet();
        _knownLive = live;
        TrackGoneBrokers(live);
        foreach (var topic in Topics.Values.ToArray())
        {
            var changed = new List<PartitionAssignment>();
            foreach (var assignment in topic.Partitions)
            {
                if (Reelect(assignment, live) is { } updated)
                {
                    changed.Add(updated);
                    Notify(topic.Name, updated, live);
                }
                else if (assignment.Replicas.Length > 1 && assignment.Replicas.Any(joined.Contains))
                {
                    // A broker is back: its replicas must start fetching to catch up and rejoin the ISR.
                    Notify(topic.Name, assignment, joined);
                }
            }
            if (changed.Count > 0) await Save(topic, changed);
        }
    }

    /// <summary>Starts the clock on brokers that hold replicas and are gone; stops it for those back.</summary>
    private void TrackGoneBrokers(IReadOnlySet<int> live)
    {
        var holding = Topics.Values.SelectMany(t => t.Partitions).SelectMany(p => p.Replicas).ToHashSet();
        foreach (var broker in _goneSince.Keys.Where(b => live.Contains(b) || !holding.Contains(b)).ToArray()) _goneSince.Remove(broker);
        foreach (var broker in holding.Where(b => !live.Contains(b))) _goneSince.TryAdd(broker, time.GetUtcNow());
        if (_goneSince.Count > 0 && _replacementTimer is null)
        {
            var check = TimeSpan.FromTicks(Math.Max(options.Value.DeadBrokerReplacementDelay.Ticks / 4, TimeSpan.FromSeconds(1).Ticks));
            _replacementTimer = this.RegisterGrainTimer(ReplaceGoneBrokers, new GrainTimerCreationOptions(check, check));
        }
    }

    /// <summary>The replacement timer: moves the replicas of brokers gone too long; keeps this activation while any broker is gone.</summary>
    private async Task ReplaceGoneBrokers()
    {
        if (_goneSince.Count == 0)
        {
            _replacementTimer?.Dispose();
            _replacementTimer = null;
            return;
        }
        DelayDeactivation(options.Value.DeadBrokerReplacementDelay);
        if (!brokers.IsSettled()) return;
        var live = brokers.LiveBrokers();
        var expired = _goneSince.Where(g => time.GetUtcNow() - g.Value >= options.Value.DeadBrokerReplacementDelay && !live.Contains(g.Key))
            .Select(g => g.Key).ToHashSet();
        if (expired.Count == 0) return;
        var load = live.ToDictionary(b => b, b => Topics.Values.Sum(t => t.Partitions.Count(p => p.Replicas.Contains(b))));
        foreach (var topic in Topics.Values.ToArray())
        {
            var changed = new List<PartitionAssignment>();
            // A partition without a leader keeps its replicas: one of the gone brokers holds its newest records.
            foreach (var assignment in topic.Partitions.Where(p => p.HasLeader && p.Replicas.Any(expired.Contains)))
            {
                var replicas = assignment.Replicas.ToArray();
                for (var i = 0; i < replicas.Length; i++)
                {
                    if (!expired.Contains(replicas[i])) continue;
                    var spare = load.Keys.Where(b => !replicas.Contains(b)).OrderBy(b => load[b]).ThenBy(b => b).Cast<int?>().FirstOrDefault();
                    if (spare is not { } target) continue;
                    logger.LogWarning("{Topic}-{Partition}: broker {Gone} has been gone since {Since:u}; its replica moves to broker {Target}",
                        topic.Name, assignment.Partition, replicas[i], _goneSince[replicas[i]], target);
                    replicas[i] = target;
                    load[target]++;
                }
                if (replicas.SequenceEqual(assignment.Replicas)) continue;
                var updated = assignment with
                {
                    Replicas = replicas,
                    Isr = assignment.InSync.Where(replicas.Contains).ToArray(),
                    Version = assignment.Version + 1,
                };
                changed.Add(updated);
            }
            if (changed.Count == 0) continue;
            await Save(topic, changed);
            foreach (var updated in changed) Notify(topic.Name, updated, live);
        }
        foreach (var broker in expired.Where(b => !Topics.Values.Any(t => t.Partitions.Any(p => p.Replicas.Contains(b))))) _goneSince.Remove(broker);
    }

    /// <summary>
    /// The partition's assignment after the brokers in <paramref name="live"/> are all that is left, or null when
    /// nothing changes: dead brokers leave the ISR (never emptying it: the last one holds the newest data), and a
    /// dead or missing leader is replaced by the first live in-sync replica, with the epoch bumped.
    /// </summary>
    private static PartitionAssignment? Reelect(PartitionAssignment current, IReadOnlySet<int> live)
    {
        var liveIsr = current.Replicas.Where(b => current.InSync.Contains(b) && live.Contains(b)).ToArray();
        var isr = liveIsr.Length > 0 ? liveIsr : current.InSync;
        if (current.HasLeader && live.Contains(current.Leader))
            return isr.Length == current.InSync.Length ? null : current with { Isr = isr, Version = current.Version + 1 };
        if (liveIsr.Length == 0)
            return current.HasLeader ? current with { Leader = PartitionAssignment.NoLeader, Version = current.Version + 1 } : null;
        return current with { Leader = liveIsr[0], LeaderEpoch = current.LeaderEpoch + 1, Isr = isr, Version = current.Version + 1 };
    }

    /// <summary>Tells the replicas on <paramref name="to"/> of the partition's new assignment, without waiting for them.</summary>
    private void Notify(string topic, PartitionAssignment assignment, IEnumerable<int> to)
    {
        foreach (var broker in assignment.Replicas.Where(to.Contains))
            GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(topic, assignment.Partition, broker)).ApplyAssignment(assignment).Ignore();
    }

    private async Task Save(TopicMetadata topic, IReadOnlyList<PartitionAssignment> changed)
    {
        var partitions = topic.Partitions.ToArray();
        foreach (var assignment in changed) partitions[assignment.Partition] = assignment;
        Topics[topic.Name] = topic with { Partitions = partitions };
        await WriteStateAsync();
    }

    /// <summary>
    /// Writes the metadata, retrying a storage failure twice: the Redis client occasionally fails a round trip
    /// that a retry completes. An ETag conflict is not retried (another writer won; Orleans deactivates this
    /// activation and the next reads the winner's state). Clients get a Hub error, never a storage provider's
    /// exception type they can't load.
    /// </summary>
    private async Task WriteStateAsync()
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await state.WriteStateAsync();
                return;
            }
            catch (Exception e) when (e is not InconsistentStateException && attempt < attempts)
            {
                logger.LogWarning("Writing cluster metadata failed (attempt {Attempt} of {Attempts}), retrying: {Error}", attempt, attempts, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time);
            }
            catch (Exception e)
            {
                throw new HubException(ErrorCode.KafkaStorageError, $"could not store the cluster metadata: {e.Message}");
            }
        }
    }

    private TopicMetadata Require(string name) =>
        Topics.GetValueOrDefault(name) ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");

    private static void ValidatePartitionCount(int partitions)
    {
        if (partitions is < 1 or > MaxPartitionsPerTopic)
            throw new HubException(ErrorCode.InvalidPartitions, $"partition count must be between 1 and {MaxPartitionsPerTopic}, got {partitions}");
    }

    /// <summary>Replica i of partition p on live broker (p + i) mod n: leaders and followers spread evenly; all start in sync.</summary>
    private PartitionAssignment[] Assign(int firstPartition, int count, int replicas)
    {
        var live = brokers.LiveBrokers();
        if (live.Count == 0) throw new HubException(ErrorCode.LeaderNotAvailable, "no broker is available to hold the partitions");
        return Enumerable.Range(firstPartition, count)
            .Select(p =>
            {
                var set = Enumerable.Range(0, replicas).Select(i => live[(p + i) % live.Count]).ToArray();
                return new PartitionAssignment(p, set[0], LeaderEpoch: 0, Replicas: set, Isr: set);
            })
            .ToArray();
    }
}
