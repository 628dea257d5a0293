using Hub.Silo.Configuration;
using Microsoft.Extensions.Options;
using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Errors;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// CreateTopics (key 19) v0-v7 through the cluster controller, which places the replicas, or takes a manual
/// assignment (partition indexes 0..n-1, with -1 partitions and replication factor, as Kafka asks), and checks the
/// replication factor against the live brokers; -1 takes the controller's default. -1 partitions means Hub:DefaultTopicPartitions (1), as Kafka's num.partitions.
/// validate_only runs the controller's checks (name, partition count, configs, existence) without creating.
/// </summary>
internal sealed class CreateTopicsApi(KafkaTopics topics, KafkaAuthorizer authorizer, IOptions<HubSiloOptions> options) : KafkaApi(ApiKey.CreateTopics, minVersion: 0, maxVersion: 7, firstFlexibleVersion: 5)
{

    /// <param name="Assignment">The manual replica assignment as given: (partition index, brokers); empty when none was.</param>
    private sealed record TopicRequest(string Name, int Partitions, short ReplicationFactor, List<(int Index, int[] Brokers)> Assignment, Dictionary<string, string> Configs)
    {
        public ErrorCode Error { get; set; }
        public string? Message { get; set; }
        public TopicMetadata? Created { get; set; }
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (requested, validateOnly) = Parse(request);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in requested)
        {
            if (!seen.Add(topic.Name)) Fail(topic, ErrorCode.InvalidRequest, $"topic '{topic.Name}' appears more than once in the request");
            else await CreateAsync(request.Session, topic, validateOnly);
        }

        var version = request.Version;
        if (version >= 2) response.WriteInt32(0); // throttle time
        response.WriteArrayLength(requested.Length);
        foreach (var topic in requested)
        {
            var created = topic.Created;
            response.WriteString(topic.Name);
            if (version >= 7) response.WriteUuid(created?.TopicId ?? Guid.Empty);
            response.WriteInt16((short)topic.Error);
            if (version >= 1) response.WriteNullableString(topic.Message);
            if (version >= 5)
            {
                response.WriteInt32(created?.PartitionCount ?? -1);
                response.WriteInt16((short)(created is null ? -1 : created.Partitions[0].Replicas.Length));
                if (created is null)
                {
                    response.WriteArrayLength(-1);
                }
                else
                {
                    var configs = ConfigEntry.ForTopic(created);
                    response.WriteArrayLength(configs.Count);
                    foreach (var config in configs)
                    {
                        response.WriteString(config.Name);
                        response.WriteNullableString(config.Value);
                        response.WriteBool(config.ReadOnly);
                        response.WriteInt8((sbyte)config.ConfigSource);
                        response.WriteBool(false); // is sensitive
                        response.WriteEmptyTaggedFields();
                    }
                }
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task CreateAsync(KafkaSession session, TopicRequest topic, bool validateOnly)
    {
        try
        {
            var assignment = ManualAssignment(topic);
            var partitions = assignment?.Length ?? (topic.Partitions == -1 ? options.Value.DefaultTopicPartitions : topic.Partitions);
            // Kafka's rule: CREATE on the cluster, or on the topic (literal or by a prefix ACL).
            if (!await authorizer.AllowsOnClusterAsync(session, AclOperation.Create))
                await authorizer.RequireTopicAsync(session, AclOperation.Create, topic.Name);
            if (validateOnly)
            {
                // The same checks the controller makes, without the write. Metadata for the answer is synthetic.
                TopicNames.Validate(topic.Name);
                var config = TopicConfigParser.Parse(topic.Configs);
                PartitionCounts.Validate(partitions);
                if (await topics.Controller.GetTopic(topic.Name) is not null)
                    throw new HubException(ErrorCode.TopicAlreadyExists, $"topic '{topic.Name}' already exists");
                var replicas = assignment?[0].Length ?? (topic.ReplicationFactor == -1 ? 1 : topic.ReplicationFactor);
                topic.Created = new TopicMetadata(topic.Name, Guid.Empty, config, DateTimeOffset.UtcNow,
                    Enumerable.Range(0, partitions).Select(p => new PartitionAssignment(p, -1, 0, new int[replicas])).ToArray())
                { SetConfigs = topic.Configs };
                return;
            }
            topic.Created = topics.Remember(
                await topics.Controller.CreateTopic(topic.Name, partitions, topic.Configs, topic.ReplicationFactor, assignment), topic.Name);
        }
        catch (Exception e)
        {
            Fail(topic, KafkaErrors.CodeOf(e), e.Message);
        }
    }

    private static void Fail(TopicRequest topic, ErrorCode error, string message)
    {
        topic.Error = error;
        topic.Message = message;
    }

    /// <summary>
    /// The manual assignment by partition, null when none was given; Kafka's rules for its form: partitions and
    /// replication factor -1 beside it (INVALID_REQUEST), partition indexes 0..n-1 once each (INVALID_REPLICA_ASSIGNMENT).
    /// The controller checks the brokers.
    /// </summary>
    private static int[][]? ManualAssignment(TopicRequest topic)
    {
        if (topic.Assignment.Count == 0) return null;
        if (topic.Partitions != -1 || topic.ReplicationFactor != -1)
            throw new HubException(ErrorCode.InvalidRequest, "both a partition count or replication factor and a manual replica assignment were given");
        var byIndex = topic.Assignment.OrderBy(a => a.Index).ToList();
        if (byIndex.Where((a, i) => a.Index != i).Any())
            throw new HubException(ErrorCode.InvalidReplicaAssignment, $"the assignment's partition indexes must be 0 to {byIndex.Count - 1}, each once");
        return [.. byIndex.Select(a => a.Brokers)];
    }

    private static (TopicRequest[] Topics, bool ValidateOnly) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var topics = new TopicRequest[reader.ReadNonNullArrayLength()];
        for (var t = 0; t < topics.Length; t++)
        {
            var name = reader.ReadString();
            var partitions = reader.ReadInt32();
            var replicationFactor = reader.ReadInt16();
            var assignments = reader.ReadNonNullArrayLength();
            var assignment = new List<(int, int[])>();
            for (var a = 0; a < assignments; a++)
            {
                var index = reader.ReadInt32();
                var brokers = new int[reader.ReadNonNullArrayLength()];
                for (var b = 0; b < brokers.Length; b++) brokers[b] = reader.ReadInt32();
                assignment.Add((index, brokers));
                reader.SkipTaggedFields();
            }
            var configs = new Dictionary<string, string>(StringComparer.Ordinal);
            var configCount = reader.ReadNonNullArrayLength();
            for (var c = 0; c < configCount; c++)
            {
                var key = reader.ReadString();
                // A null value means "the default", which is what leaving it out means too.
                if (reader.ReadNullableString() is { } value) configs[key] = value;
                reader.SkipTaggedFields();
            }
            reader.SkipTaggedFields();
            topics[t] = new TopicRequest(name, partitions, replicationFactor, assignment, configs);
        }
        reader.ReadInt32(); // timeout: the controller answers once the metadata is durable
        var validateOnly = request.Version >= 1 && reader.ReadBool();
        reader.SkipTaggedFields();
        return (topics, validateOnly);
    }
}
