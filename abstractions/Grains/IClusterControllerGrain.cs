using Orleans.Concurrency;
using Hub.Quotas;
using Hub.Topics;

namespace Hub.Grains;

/// <summary>
/// The single source of truth for topic metadata (one activation, key 0, durable state), as KRaft's controller.
/// </summary>
public interface IClusterControllerGrain : IGrainWithIntegerKey
{
    /// <summary>Creates a topic; <paramref name="configs"/> uses Kafka's topic config names (retention.ms, ...).</summary>
    /// <param name="replicationFactor">Copies of each partition on distinct brokers; -1 takes the default, min(3, live brokers).</param>
    /// <param name="replicaAssignment">
    /// Each partition's brokers, preferred leader first (Kafka's manual replica assignment); null lets the controller
    /// place them. With it, <paramref name="partitions"/> must be its length and <paramref name="replicationFactor"/> -1.
    /// </param>
    Task<TopicMetadata> CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string>? configs = null, short replicationFactor = -1,
        int[][]? replicaAssignment = null);

    Task DeleteTopic(string name);

    /// <summary>
    /// Kafka's ElectLeaders: moves each partition's leadership to its preferred replica (the first) when that replica
    /// is live and in sync, or with <paramref name="unclean"/> gives a partition without a live leader the first live
    /// replica even if out of sync (records may be lost). <paramref name="partitions"/> null: every partition, whose
    /// results then leave out those needing no election, as Kafka's do. A result per partition: ELECTION_NOT_NEEDED,
    /// PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE or UNKNOWN_TOPIC_OR_PARTITION.
    /// </summary>
    Task<IReadOnlyList<LeaderElectionResult>> ElectLeaders(bool unclean, Hub.Groups.TopicPartition[]? partitions);

    /// <summary>Grows the topic to <paramref name="totalPartitions"/> partitions (never shrinks, as in Kafka).</summary>
    /// <param name="replicaAssignment">The new partitions' replica sets (brokers, preferred leader first), as Kafka's CreatePartitions takes them; null: Hub places them.</param>
    Task<TopicMetadata> AddPartitions(string name, int totalPartitions, int[][]? replicaAssignment = null);

    /// <summary>
    /// Changes topics' configs after creation (Kafka's AlterConfigs and IncrementalAlterConfigs): each change is made
    /// whole or not at all, with a result per change in order (UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG,
    /// INVALID_REQUEST). The changes made are stored in one write before the call returns, and then every live replica
    /// of their topics applies them without a restart. With <paramref name="validateOnly"/> nothing is stored.
    /// </summary>
    Task<IReadOnlyList<TopicConfigChangeResult>> AlterTopicConfigs(IReadOnlyList<TopicConfigChange> changes, bool validateOnly = false);

    /// <summary>The topic, or null when there is none of that name.</summary>
    /// <remarks>
    /// Interleaves with writes: a partition replica activated by the controller's own call (DeleteTopic) asks
    /// for its topic, and would deadlock waiting for the controller's turn otherwise.
    /// </remarks>
    [AlwaysInterleave]
    Task<TopicMetadata?> GetTopic(string name);

    /// <summary>The existing topics among <paramref name="names"/>: one call for a request that names several. Interleaves as <see cref="GetTopic"/> does.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<TopicMetadata>> GetTopics(string[] names);

    [AlwaysInterleave]
    Task<IReadOnlyList<TopicMetadata>> ListTopics();

    /// <summary>Every client quota set (Kafka's DescribeClientQuotas without a filter).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ClientQuota>> DescribeClientQuotas();

    /// <summary>
    /// Applies the alterations together, stored before the call returns (Kafka's AlterClientQuotas); refuses them all
    /// with INVALID_REQUEST when one is invalid (an unknown key, a value not above zero, an entity naming nothing).
    /// </summary>
    Task AlterClientQuotas(IReadOnlyList<ClientQuotaAlteration> alterations);
}
