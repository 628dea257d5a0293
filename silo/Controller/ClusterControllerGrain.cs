using Hub.Groups;
using Hub.Silo.InterBroker;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Configuration;
using Hub.Silo.Placement;
using Hub.Silo.Quotas;
using Hub.Silo.Topics;
using Hub.Quotas;
using Hub.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Hub.Silo.Controller;

/// <summary>
/// Holds topic metadata durably and decides where partitions live and who leads them, as KRaft's controller.
/// Metadata is written before any replica is touched or any caller answered (<see cref="ClusterMetadataStore"/>:
/// decide on a copy, store it, and only then is it the metadata), so a crash mid-way leaves either no topic or a
/// topic whose replicas create their logs lazily; replicas learn of leader and ISR changes through one-way
/// <see cref="IInterBrokerPartitionGrain.ApplyAssignment"/> calls after the write, and re-read the metadata when a
/// call fails, so a lost notification only delays them. A write that fails or loses the ETag race to another
/// activation ends this one with a retriable error, and the next activation reads what was stored.
/// <para>
/// The rules are plain policies: <see cref="ReplicaPlacement"/> (where replicas go, at creation and when a broker
/// is gone longer than <see cref="HubSiloOptions.DeadBrokerReplacementDelay"/>, timed by <see cref="GoneBrokers"/>),
/// <see cref="LeaderElection"/> (clean election from the ISR, the preferred leader back once in sync) and
/// <see cref="IsrChangeRules"/> (AlterIsr). This grain runs each change as one sequence: decide (a policy) →
/// store (a <c>Commit</c> of <see cref="ClusterMetadataStore"/>) → notify the replicas.
/// </para>
/// </summary>
internal sealed partial class ClusterControllerGrain(
    BrokerDirectory brokers,
    IOptions<HubSiloOptions> options,
    TimeProvider time,
    ILogger<ClusterControllerGrain> logger) : Grain, IInterBrokerControllerGrain
{
    /// <summary>Brokers live at the last <see cref="BrokersChanged"/>, to spot those that just joined.</summary>
    private HashSet<int> _knownLive = [];

    private readonly GoneBrokers _gone = new(time, options.Value.DeadBrokerReplacementDelay);

    private IGrainTimer? _replacementTimer;

    private ClusterMetadataStore _store = null!;

    /// <summary>The stored metadata: every answer and every decision starts from it.</summary>
    private IReadOnlyDictionary<string, TopicMetadata> Topics => _store.Topics;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _store = new ClusterMetadataStore(ServiceProvider.GetRequiredKeyedService<IGrainStorage>(HubStorage.Name), this.GetGrainId(), time,
            DeactivateOnIdle, logger);
        await _store.LoadAsync();
        // Gone brokers' clocks died with the previous activation (a failed write ends one): restart them now, as
        // the membership report that starts them may not come again.
        if (_store.IsReadable && brokers.IsSettled()) ObserveGoneBrokers(brokers.LiveBrokers().ToHashSet());
    }

    public async Task<TopicMetadata> CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string>? configs = null, short replicationFactor = -1,
        int[][]? replicaAssignment = null)
    {
        TopicNames.Validate(name);
        PartitionCounts.Validate(partitions);
        var config = TopicConfigParser.Parse(configs);
        if (Topics.ContainsKey(name)) throw new HubException(ErrorCode.TopicAlreadyExists, $"topic '{name}' already exists");
        var live = brokers.LiveBrokers();
        var placed = replicaAssignment is null
            ? ReplicaPlacement.Assign(0, partitions, ReplicaPlacement.ReplicationFactor(replicationFactor, live.Count, config.MinInSyncReplicas), live)
            : ReplicaPlacement.Manual(replicaAssignment, partitions, replicationFactor, live, config.MinInSyncReplicas);
        var replicas = placed[0].Replicas.Length;

        var topic = new TopicMetadata(name, Guid.NewGuid(), config, time.GetUtcNow(), placed)
        {
            SetConfigs = configs is null ? new Dictionary<string, string>() : new Dictionary<string, string>(configs),
        };
        await _store.CommitAsync(topic);
        LogTopicCreated(logger, name, partitions, replicas);
        return topic;
    }

    public async Task DeleteTopic(string name)
    {
        var topic = Require(name);
        await _store.CommitRemovalAsync(name);
        // Replicas are told after the metadata is gone: a replica that misses this finds its topic id unknown
        // on its next activation and wipes its directory then.
        await Task.WhenAll(topic.Partitions.SelectMany(p => p.Replicas.Select(broker =>
            GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(name, p.Partition, broker)).DeleteLog())));
        LogTopicDeleted(logger, name);
    }

    public async Task<TopicMetadata> AddPartitions(string name, int totalPartitions, int[][]? replicaAssignment = null)
    {
        var topic = Require(name);
        PartitionCounts.Validate(totalPartitions);
        if (totalPartitions <= topic.PartitionCount)
            throw new HubException(ErrorCode.InvalidPartitions,
                $"topic '{name}' has {topic.PartitionCount} partitions; the new count must be larger, got {totalPartitions}");
        var live = brokers.LiveBrokers();
        var added = totalPartitions - topic.PartitionCount;
        var placed = replicaAssignment is null
            ? ReplicaPlacement.Assign(topic.PartitionCount, added, ReplicaPlacement.ReplicationFactorForNewPartitions(topic, live.Count), live)
            : ReplicaPlacement.ManualAdded(replicaAssignment, topic, added, live);
        var grown = topic with { Partitions = [.. topic.Partitions, .. placed] };
        await _store.CommitAsync(grown);
        return grown;
    }

    public async Task<IReadOnlyList<TopicConfigChangeResult>> AlterTopicConfigs(IReadOnlyList<TopicConfigChange> changes, bool validateOnly = false)
    {
        var results = new List<TopicConfigChangeResult>(changes.Count);
        var altered = new List<TopicMetadata>();
        var named = changes.CountBy(c => c.Topic, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            try
            {
                if (named[change.Topic] > 1) throw new HubException(ErrorCode.InvalidRequest, $"topic '{change.Topic}' is named more than once");
                var topic = Require(change.Topic);
                var current = TopicConfigAlterations.SetOn(topic);
                var (set, config) = TopicConfigAlterations.Apply(current, change);
                ReplicaPlacement.CheckMinInSyncReplicas(config.MinInSyncReplicas, topic.Partitions.Min(p => p.Replicas.Length));
                if (!TopicConfigAlterations.SameSet(current, set))
                    altered.Add(topic with { Config = config, SetConfigs = set, ConfigVersion = topic.ConfigVersion + 1 });
                results.Add(new TopicConfigChangeResult(change.Topic, ErrorCode.None, null));
            }
            catch (HubException e)
            {
                results.Add(new TopicConfigChangeResult(change.Topic, e.Code, e.Message));
            }
        }
        if (validateOnly || altered.Count == 0) return results;

        await _store.CommitAsync(altered);
        var live = brokers.LiveBrokers();
        foreach (var topic in altered)
        {
            LogTopicConfigAltered(logger, topic.Name, topic.ConfigVersion, string.Join(", ", topic.SetConfigs!.Select(c => $"{c.Key}={c.Value}")));
            NotifyConfig(topic, live);
        }
        await ElectUncleanlyWhereAllowed(altered.Where(t => t.Config.UncleanLeaderElectionEnable).Select(t => Topics[t.Name]), live);
        return results;
    }

    public Task<TopicMetadata?> GetTopic(string name) =>
        Task.FromResult(Topics.GetValueOrDefault(name));

    public Task<IReadOnlyList<TopicMetadata>> GetTopics(string[] names) =>
        Task.FromResult<IReadOnlyList<TopicMetadata>>(names.Select(Topics.GetValueOrDefault).OfType<TopicMetadata>().ToArray());

    public Task<IReadOnlyList<TopicMetadata>> ListTopics() =>
        Task.FromResult<IReadOnlyList<TopicMetadata>>(Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray());

    public Task<IReadOnlyList<ClientQuota>> DescribeClientQuotas() => Task.FromResult(_store.Quotas);

    public Task AlterClientQuotas(IReadOnlyList<ClientQuotaAlteration> alterations)
    {
        if (alterations.Select(ClientQuotaRules.Problem).OfType<string>().FirstOrDefault() is { } problem)
            throw new HubException(ErrorCode.InvalidRequest, problem);
        return _store.CommitQuotasAsync(ClientQuotaRules.Apply(_store.Quotas, alterations));
    }

    public async Task<PartitionAssignment> AlterIsr(string topicName, int partition, int leaderBroker, int basedOnVersion, int[] isr)
    {
        var current = RequirePartition(topicName, partition);
        var live = brokers.LiveBrokers();
        if (IsrChangeRules.Apply(current, leaderBroker, basedOnVersion, isr, live) is not { } updated) return current;
        await _store.CommitAsync([new PartitionChange(topicName, updated)]);
        LogIsrChanged(logger, topicName, partition, string.Join(",", current.InSync), string.Join(",", updated.InSync), updated.Leader, updated.LeaderEpoch);
        if (updated.Leader != current.Leader) Notify(new PartitionChange(topicName, updated), brokers.LiveBrokers());
        return updated;
    }

    public async Task BrokersChanged()
    {
        if (!brokers.IsSettled())
            throw new HubException(ErrorCode.LeaderNotAvailable, "cluster membership is settling: a new silo's broker id is not known here yet");
        var live = brokers.LiveBrokers().ToHashSet();
        var joined = live.Except(_knownLive).ToHashSet();
        var elected = LeaderElection.AfterMembershipChange(Topics.Values, live);
        var returning = ReplicasOfReturningBrokers(joined, elected);
        await _store.CommitAsync(elected);

        _knownLive = live;
        ObserveGoneBrokers(live);
        foreach (var change in elected) Notify(change, live);
        foreach (var change in returning) Notify(change, joined);
    }

    public async Task LogDirectoryFailed(int broker)
    {
        var live = brokers.LiveBrokers();
        var changes = LeaderElection.AfterLogDirectoryFailure(Topics.Values, broker, live);
        await _store.CommitAsync(changes);
        LogLogDirectoryFailed(logger, broker, changes.Count);
        foreach (var change in changes) Notify(change, live);
    }

    /// <summary>
    /// Unchanged replicated partitions with a replica on a broker that just joined: those replicas must start
    /// fetching to catch up and rejoin the ISR (the changed ones hear of their change anyway).
    /// </summary>
    private IReadOnlyList<PartitionChange> ReplicasOfReturningBrokers(IReadOnlySet<int> joined, IReadOnlyList<PartitionChange> changed)
    {
        var changedKeys = changed.Select(c => (c.Topic, c.Assignment.Partition)).ToHashSet();
        return Topics.Values
            .SelectMany(t => t.Partitions
                .Where(p => p.Replicas.Length > 1 && p.Replicas.Any(joined.Contains) && !changedKeys.Contains((t.Name, p.Partition)))
                .Select(p => new PartitionChange(t.Name, p)))
            .ToArray();
    }

    private void ObserveGoneBrokers(IReadOnlySet<int> live)
    {
        _gone.Observe(live, Topics.Values);
        if (_gone.Any)
            _replacementTimer ??= this.RegisterGrainTimer(ReplaceGoneBrokers, new GrainTimerCreationOptions(_gone.CheckInterval, _gone.CheckInterval));
    }

    /// <summary>The replacement timer: moves the replicas of brokers gone too long; keeps this activation while any broker is gone.</summary>
    private async Task ReplaceGoneBrokers()
    {
        if (!_gone.Any)
        {
            _replacementTimer?.Dispose();
            _replacementTimer = null;
            return;
        }
        DelayDeactivation(options.Value.DeadBrokerReplacementDelay);
        if (!brokers.IsSettled()) return;
        var live = brokers.LiveBrokers();
        var expired = _gone.GoneTooLong(live);
        if (expired.Count == 0) return;

        var plan = ReplicaPlacement.ReplaceGone(Topics.Values.ToArray(), expired, live);
        foreach (var move in plan.Moves) LogReplicaMoved(logger, move.Topic, move.Partition, move.From, _gone.Since(move.From), move.To);
        await _store.CommitAsync(plan.Changes);
        foreach (var change in plan.Changes) Notify(change, live);
        _gone.ForgetReplaced(Topics.Values);
    }

    public async Task<IReadOnlyList<LeaderElectionResult>> ElectLeaders(bool unclean, TopicPartition[]? partitions)
    {
        var live = brokers.LiveBrokers().ToHashSet();
        var all = partitions is null;
        partitions ??= Topics.Values.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.Partition))).ToArray();
        var results = new List<LeaderElectionResult>();
        var changes = new List<PartitionChange>();
        foreach (var asked in partitions.Distinct())
        {
            var topic = Topics.GetValueOrDefault(asked.Topic);
            if (topic is null || (uint)asked.Partition >= (uint)topic.PartitionCount)
            {
                results.Add(new LeaderElectionResult(asked.Topic, asked.Partition, ErrorCode.UnknownTopicOrPartition, "no such topic or partition"));
                continue;
            }
            var (elected, error) = LeaderElection.Requested(topic.Partitions[asked.Partition], live, unclean);
            if (elected is not null) changes.Add(new PartitionChange(asked.Topic, elected));
            if (!all || error != ErrorCode.ElectionNotNeeded) results.Add(new LeaderElectionResult(asked.Topic, asked.Partition, error));
        }
        if (changes.Count > 0)
        {
            await _store.CommitAsync(changes);
            foreach (var change in changes) Notify(change, live);
        }
        return results;
    }

    /// <summary>
    /// Once unclean.leader.election.enable is set on a topic, its partitions without a leader get one from their live
    /// replicas, as Kafka's controller elects them then rather than waiting for an in-sync replica to return.
    /// </summary>
    private async Task ElectUncleanlyWhereAllowed(IEnumerable<TopicMetadata> topics, IReadOnlyCollection<int> live)
    {
        if (!brokers.IsSettled()) return; // the next membership report elects them
        var elected = LeaderElection.AfterMembershipChange(topics.Where(t => t.Partitions.Any(p => !p.HasLeader)).ToArray(), live.ToHashSet());
        if (elected.Count == 0) return;
        await _store.CommitAsync(elected);
        foreach (var change in elected) Notify(change, live);
    }

    /// <summary>Tells the replicas on <paramref name="to"/> of the partition's new assignment, without waiting for them.</summary>
    private void Notify(PartitionChange change, IEnumerable<int> to)
    {
        foreach (var broker in change.Assignment.Replicas.Where(to.Contains))
            GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(change.Topic, change.Assignment.Partition, broker))
                .ApplyAssignment(change.Assignment).Ignore();
    }

    /// <summary>
    /// Tells the topic's replicas on <paramref name="live"/> brokers of its changed config, without waiting for them. A
    /// replica that misses it reads the config when it next activates or re-reads its assignment.
    /// </summary>
    private void NotifyConfig(TopicMetadata topic, IReadOnlyCollection<int> live)
    {
        foreach (var partition in topic.Partitions)
        {
            foreach (var broker in partition.Replicas.Where(live.Contains))
                GrainFactory.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(topic.Name, partition.Partition, broker))
                    .ApplyConfig(topic.Config, topic.ConfigVersion).Ignore();
        }
    }

    private TopicMetadata Require(string name) =>
        Topics.GetValueOrDefault(name) ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");

    private PartitionAssignment RequirePartition(string topicName, int partition)
    {
        var topic = Require(topicName);
        if ((uint)partition >= (uint)topic.PartitionCount)
            throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{topicName}' has no partition {partition}");
        return topic.Partitions[partition];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions and {Replicas} replicas each")]
    private static partial void LogTopicCreated(ILogger logger, string topic, int partitions, int replicas);

    [LoggerMessage(Level = LogLevel.Information, Message = "Altered the configs of topic {Topic} (version {Version}); set on it now: {Configs}")]
    private static partial void LogTopicConfigAltered(ILogger logger, string topic, int version, string configs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Topic}")]
    private static partial void LogTopicDeleted(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Topic}-{Partition}: ISR {Old} -> {New}, leader {Leader} epoch {Epoch}")]
    private static partial void LogIsrChanged(ILogger logger, string topic, int partition, string old, string @new, int leader, int epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Topic}-{Partition}: broker {Gone} has been gone since {Since:u}; its replica moves to broker {Target}")]
    private static partial void LogReplicaMoved(ILogger logger, string topic, int partition, int gone, DateTimeOffset since, int target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker {Broker}'s log directory failed: {Partitions} partitions lose it as leader and ISR member")]
    private static partial void LogLogDirectoryFailed(ILogger logger, int broker, int partitions);
}
