using Orleans.Concurrency;
using Hub.Topics;

namespace Hub.Grains;

/// <summary>
/// The single source of truth for topic metadata (one activation, key 0, durable state), as KRaft's controller.
/// </summary>
public interface IClusterControllerGrain : IGrainWithIntegerKey
{
    /// <summary>Creates a topic; <paramref name="configs"/> uses Kafka's topic config names (retention.ms, ...).</summary>
    /// <param name="replicationFactor">Copies of each partition on distinct brokers; -1 takes the default, min(3, live brokers).</param>
    Task<TopicMetadata> CreateTopic(string name, int partitions, IReadOnlyDictionary<string, string>? configs = null, short replicationFactor = -1);

    Task DeleteTopic(string name);

    /// <summary>Grows the topic to <paramref name="totalPartitions"/> partitions (never shrinks, as in Kafka).</summary>
    Task<TopicMetadata> AddPartitions(string name, int totalPartitions);

    /// <summary>The topic, or null when there is none of that name.</summary>
    /// <remarks>
    /// Interleaves with writes: a partition replica activated by the controller's own call (DeleteTopic) asks
    /// for its topic, and would deadlock waiting for the controller's turn otherwise.
    /// </remarks>
    [AlwaysInterleave]
    Task<TopicMetadata?> GetTopic(string name);

    [AlwaysInterleave]
    Task<IReadOnlyList<TopicMetadata>> ListTopics();

    /// <summary>
    /// A partition leader's request to change its in-sync replica set (Kafka's AlterPartition). Applied only
    /// when <paramref name="basedOnVersion"/> is the assignment's current version and the caller still leads;
    /// returns the assignment as it stands afterwards either way.
    /// </summary>
    Task<PartitionAssignment> AlterIsr(string topic, int partition, int leaderBroker, int basedOnVersion, int[] isr);

    /// <summary>
    /// Brokers joined or left the cluster (every silo calls this on membership changes; repeats are harmless):
    /// elects new leaders from the in-sync replicas of partitions whose leader is gone, drops dead brokers from
    /// in-sync sets, and tells the replicas concerned.
    /// </summary>
    Task BrokersChanged();
}
