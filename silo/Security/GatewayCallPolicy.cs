using Hub.Groups;
using Hub.Grains;
using Hub.Partitions;
using Hub.Security;
using Hub.Silo.Transactions;
using Hub.Topics;

namespace Hub.Silo.Security;

/// <summary>
/// What an SDK or stream-provider call through the Orleans gateway needs, in Kafka's ACL model, as the Kafka API
/// doing the same needs it (see README's table): the Kafka front door and the gateway give a principal the same
/// rights. One <see cref="Decision"/> per call, from its interface, method, grain key and arguments; a listing's
/// answer is trimmed to what the principal may describe, as Kafka's Metadata and ListGroups are.
/// </summary>
internal static class GatewayCallPolicy
{
    /// <summary>An operation on one resource, or, with a null name, on at least one resource of the type (Kafka's authorizeByResourceType).</summary>
    public readonly record struct Requirement(AclOperation Operation, AclResourceType Type, string? Name);

    /// <summary>Which part of an answer holds resources the caller must be allowed to describe.</summary>
    public enum Trim
    {
        None,
        Topics,
        Groups,
        CommittedOffsets,

        /// <summary>Transactional ids, and in each the partitions of topics, as Kafka's ListTransactions and DescribeTransactions trim them.</summary>
        Transactions,
    }

    /// <summary>
    /// Every check must pass; a check passes when any of its alternatives is allowed (CreateTopic: CREATE on the
    /// topic or on the cluster). A refusal names the first alternative, as Kafka's error does.
    /// </summary>
    public sealed record Decision(IReadOnlyList<Requirement[]> Checks, Trim Trim = Trim.None);

    /// <summary>Interfaces of Orleans' own runtime a client calls to work at all (its type manifest and the like).</summary>
    private static readonly System.Reflection.Assembly[] OrleansAssemblies =
        [typeof(IGrainWithIntegerKey).Assembly, typeof(Orleans.Runtime.IManagementGrain).Assembly];

    /// <param name="transactionalId">What the call carried under <see cref="GatewayCredential.TransactionalIdKey"/>.</param>
    public static Decision For(Type @interface, string method, string key, Func<int, object?> argument, string? transactionalId = null)
    {
        if (@interface == typeof(IPartitionGrain))
        {
            var topic = PartitionKey.Parse(key).Topic;
            return method switch
            {
                // Without an id a transactional batch is refused, as Kafka refuses one in a Produce without transactional_id.
                nameof(IPartitionGrain.Append) when TransactionalBatches.AnyIn(((PooledBatches)argument(0)!).Span) => new([
                    [Topic(AclOperation.Write, topic)], [TransactionalId(AclOperation.Write, transactionalId ?? "")]]),
                nameof(IPartitionGrain.Append) => One(AclOperation.Write, AclResourceType.Topic, topic),
                nameof(IPartitionGrain.Fetch) or nameof(IPartitionGrain.DescribeProducers) => One(AclOperation.Read, AclResourceType.Topic, topic),
                nameof(IPartitionGrain.DeleteRecords) => One(AclOperation.Delete, AclResourceType.Topic, topic), // as Kafka's DeleteRecords
                _ => One(AclOperation.Describe, AclResourceType.Topic, topic),
            };
        }
        if (@interface == typeof(IConsumerGroupGrain))
        {
            return method switch
            {
                nameof(IConsumerGroupGrain.CommitOffsets) => new([
                    [Group(AclOperation.Read, key)],
                    .. ((OffsetCommitRequest)argument(0)!).Offsets.Select(o => o.Topic).Distinct().Select(t => new[] { Topic(AclOperation.Read, t) })]),
                nameof(IConsumerGroupGrain.FetchOffsets) => new([
                    [Group(AclOperation.Describe, key)],
                    .. (argument(0) as TopicPartition[] ?? []).Select(p => p.Topic).Distinct().Select(t => new[] { Topic(AclOperation.Describe, t) })],
                    Trim.CommittedOffsets),
                nameof(IConsumerGroupGrain.Describe) or nameof(IConsumerGroupGrain.DescribeConsumerGroup) => One(AclOperation.Describe, AclResourceType.Group, key),
                nameof(IConsumerGroupGrain.DeleteGroup) => One(AclOperation.Delete, AclResourceType.Group, key),
                nameof(IConsumerGroupGrain.DeleteOffsets) => new([
                    [Group(AclOperation.Delete, key)],
                    .. (argument(0) as TopicPartition[] ?? []).Select(p => p.Topic).Distinct().Select(t => new[] { Topic(AclOperation.Read, t) })]),
                _ => One(AclOperation.Read, AclResourceType.Group, key), // membership: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, ConsumerGroupHeartbeat
            };
        }
        if (@interface == typeof(IKeyOrderedPartitionGrain))
        {
            var (group, topic, _) = KeyOrderedPartitionKey.Parse(key);
            return method == nameof(IKeyOrderedPartitionGrain.Poll)
                ? new([[Group(AclOperation.Read, group)], [Topic(AclOperation.Read, topic)]])
                : One(AclOperation.Read, AclResourceType.Group, group);
        }
        if (@interface == typeof(IClusterControllerGrain))
        {
            return method switch
            {
                nameof(IClusterControllerGrain.CreateTopic) => new([[Topic(AclOperation.Create, (string)argument(0)!), Cluster(AclOperation.Create)]]),
                nameof(IClusterControllerGrain.DeleteTopic) => One(AclOperation.Delete, AclResourceType.Topic, (string)argument(0)!),
                nameof(IClusterControllerGrain.ElectLeaders) => new([[Cluster(AclOperation.Alter)]]), // as Kafka's ElectLeaders
                nameof(IClusterControllerGrain.AddPartitions) => One(AclOperation.Alter, AclResourceType.Topic, (string)argument(0)!),
                nameof(IClusterControllerGrain.AlterTopicConfigs) => new([
                    .. ((IReadOnlyList<TopicConfigChange>)argument(0)!).Select(c => c.Topic).Distinct().Select(t => new[] { Topic(AclOperation.AlterConfigs, t) })]),
                nameof(IClusterControllerGrain.GetTopic) => One(AclOperation.Describe, AclResourceType.Topic, (string)argument(0)!),
                nameof(IClusterControllerGrain.GetTopics) or nameof(IClusterControllerGrain.ListTopics) => new([], Trim.Topics),
                nameof(IClusterControllerGrain.DescribeClientQuotas) => new([[Cluster(AclOperation.DescribeConfigs)]]),
                nameof(IClusterControllerGrain.AlterClientQuotas) => new([[Cluster(AclOperation.AlterConfigs)]]),
                _ => AdminOnly,
            };
        }
        if (@interface == typeof(ITransactionCoordinatorGrain))
        {
            Requirement[] id = [TransactionalId(AclOperation.Write, key)];
            return method switch
            {
                nameof(ITransactionCoordinatorGrain.AddPartitions) => new([
                    id, .. ((TopicPartition[])argument(2)!).Select(p => p.Topic).Distinct().Select(t => new[] { Topic(AclOperation.Write, t) })]),
                nameof(ITransactionCoordinatorGrain.AddOffsets) => new([id, [Group(AclOperation.Read, (string)argument(2)!)]]),
                nameof(ITransactionCoordinatorGrain.SendOffsets) => new([
                    id, [Group(AclOperation.Read, (string)argument(2)!)],
                    .. ((OffsetCommitRequest)argument(3)!).Offsets.Select(o => o.Topic).Distinct().Select(t => new[] { Topic(AclOperation.Read, t) })]),
                _ => new([id]), // InitProducerId, EndTransaction
            };
        }
        if (@interface == typeof(IGroupDirectoryGrain)) return new([], Trim.Groups);
        if (@interface == typeof(ITransactionDirectoryGrain))
        {
            return method == nameof(ITransactionDirectoryGrain.DescribeTransaction)
                ? new([[TransactionalId(AclOperation.Describe, (string)argument(0)!)]], Trim.Transactions)
                : new([], Trim.Transactions);
        }
        // An idempotent producer's id, as InitProducerId without a transactional id.
        if (@interface == typeof(IProducerIdGrain))
            return new([[new Requirement(AclOperation.Write, AclResourceType.Topic, null), Cluster(AclOperation.IdempotentWrite)]]);
        if (@interface == typeof(IAclGrain) || @interface == typeof(IUserCredentialsGrain))
            return new([[Cluster(method == nameof(IAclGrain.Describe) ? AclOperation.Describe : AclOperation.Alter)]]);
        return AdminOnly;
    }

    /// <summary>
    /// Whether the interface is one of Orleans' own that its client runtime calls to connect and work (its type
    /// manifest and the like): such calls carry no Hub rights, and need no user, so a wrong password is reported on
    /// the first Hub call rather than as a gateway that can't be reached. Not Orleans' management grain, which can
    /// deactivate or inspect anything.
    /// </summary>
    public static bool ServesOrleansClients(Type @interface) =>
        OrleansAssemblies.Contains(@interface.Assembly) && @interface != typeof(Orleans.Runtime.IManagementGrain);

    /// <summary>What nothing above names: an interface a later change adds is closed until it is given its rights here.</summary>
    private static readonly Decision AdminOnly = new([[Cluster(AclOperation.Alter)]]);

    private static Decision One(AclOperation operation, AclResourceType type, string name) => new([[new Requirement(operation, type, name)]]);

    private static Requirement Topic(AclOperation operation, string topic) => new(operation, AclResourceType.Topic, topic);

    private static Requirement Group(AclOperation operation, string group) => new(operation, AclResourceType.Group, group);

    private static Requirement TransactionalId(AclOperation operation, string id) => new(operation, AclResourceType.TransactionalId, id);

    private static Requirement Cluster(AclOperation operation) => new(operation, AclResourceType.Cluster, AclRules.ClusterName);
}
