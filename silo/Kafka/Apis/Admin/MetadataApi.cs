using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Errors;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Topics;
using Hub.Topics;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// Metadata (key 3) v0-v12: brokers, and each topic's partitions with leader and replicas. Every silo can
/// serve every partition (it routes through Orleans), so a partition whose assigned broker has no live
/// listener is reported led by this broker: a "synthetic leader" that still answers correctly. Topics are
/// never auto-created (Kafka's auto.create.topics.enable=false): an unknown topic is UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
internal sealed class MetadataApi(KafkaTopics topics, KafkaBrokers brokers, KafkaAuthorizer authorizer, IOptions<HubSiloOptions> options) : KafkaApi(ApiKey.Metadata, minVersion: 0, maxVersion: 12, firstFlexibleVersion: 9)
{
    /// <summary>Kafka's "authorized operations not requested" value.</summary>
    private const int OperationsNotRequested = int.MinValue;

    /// <summary>
    /// READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (bits 3-8, 10, 11 of
    /// Kafka's AclOperation codes): Hub has no ACLs, so every client may do all of these.
    /// </summary>
    private const int AllTopicOperations = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

    private readonly record struct TopicRequest(Guid Id, string? Name);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var (requested, includeTopicOperations) = Parse(request);

        IReadOnlyList<(TopicRequest Asked, TopicMetadata? Topic, ErrorCode Error)> answers;
        if (requested is null)
        {
            answers = (await topics.ListAsync()).Select(t => (new TopicRequest(t.TopicId, t.Name), (TopicMetadata?)t, ErrorCode.None)).ToArray();
        }
        else
        {
            answers = await Task.WhenAll(requested.Select(async asked =>
            {
                if (asked.Name is null)
                {
                    var byId = await topics.GetByIdAsync(asked.Id);
                    return (asked, byId, byId is null ? ErrorCode.UnknownTopicId : ErrorCode.None);
                }
                if (!IsValidName(asked.Name)) return (asked, (TopicMetadata?)null, ErrorCode.InvalidTopic);
                var topic = topics.Remember(await topics.Controller.GetTopic(asked.Name), asked.Name);
                return (asked, topic, topic is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.None);
            }));
        }

        answers = await DescribableAsync(request.Session, answers, listedAll: requested is null);
        var live = brokers.Live(request.Session.Listener);
        if (version >= 3) response.WriteInt32(0); // throttle time
        response.WriteArrayLength(live.Count);
        foreach (var broker in live)
        {
            response.WriteInt32(broker.BrokerId);
            response.WriteString(broker.Host);
            response.WriteInt32(broker.Port);
            if (version >= 1) response.WriteNullableString(null); // rack
            response.WriteEmptyTaggedFields();
        }
        if (version >= 2) response.WriteNullableString(options.Value.ClusterId);
        if (version >= 1) response.WriteInt32(brokers.LocalBrokerId); // controller id: any live broker will do

        response.WriteArrayLength(answers.Count);
        foreach (var (asked, topic, error) in answers)
        {
            response.WriteInt16((short)error);
            if (version >= 12) response.WriteNullableString(topic?.Name ?? asked.Name);
            else response.WriteString(topic?.Name ?? asked.Name ?? "");
            if (version >= 10) response.WriteUuid(topic?.TopicId ?? Guid.Empty);
            if (version >= 1) response.WriteBool(false); // is internal
            WritePartitions(response, version, topic, live);
            if (version >= 8) response.WriteInt32(includeTopicOperations ? AllTopicOperations : OperationsNotRequested);
            response.WriteEmptyTaggedFields();
        }
        if (version is >= 8 and <= 10) response.WriteInt32(OperationsNotRequested); // cluster authorized operations
        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>
    /// Kafka's rule: a listing of every topic leaves out those the principal may not DESCRIBE; a topic asked for by
    /// name gets TOPIC_AUTHORIZATION_FAILED, whether it exists or not.
    /// </summary>
    private async Task<IReadOnlyList<(TopicRequest Asked, TopicMetadata? Topic, ErrorCode Error)>> DescribableAsync(KafkaSession session,
        IReadOnlyList<(TopicRequest Asked, TopicMetadata? Topic, ErrorCode Error)> answers, bool listedAll)
    {
        if (!authorizer.Enabled) return answers;
        var describable = new List<(TopicRequest, TopicMetadata?, ErrorCode)>(answers.Count);
        foreach (var answer in answers)
        {
            var name = answer.Topic?.Name ?? answer.Asked.Name;
            if (name is null || await authorizer.AllowsTopicAsync(session, AclOperation.Describe, name)) describable.Add(answer);
            else if (!listedAll) describable.Add((answer.Asked, null, ErrorCode.TopicAuthorizationFailed));
        }
        return describable;
    }

    private void WritePartitions(ProtocolWriter response, short version, TopicMetadata? topic, IReadOnlyList<BrokerEndpoint> live)
    {
        if (topic is null)
        {
            response.WriteArrayLength(0);
            return;
        }
        response.WriteArrayLength(topic.PartitionCount);
        foreach (var partition in topic.Partitions)
        {
            // Any silo serves any partition, so while a leader's silo is not (yet) in this silo's view, this silo
            // stands in for it rather than sending clients to a broker they can't reach.
            var leader = !partition.HasLeader ? PartitionAssignment.NoLeader
                : live.Any(b => b.BrokerId == partition.Leader) ? partition.Leader : brokers.LocalBrokerId;
            response.WriteInt16((short)(partition.HasLeader ? ErrorCode.None : ErrorCode.LeaderNotAvailable));
            response.WriteInt32(partition.Partition);
            response.WriteInt32(leader);
            if (version >= 7) response.WriteInt32(partition.LeaderEpoch);
            WriteBrokers(response, partition.Replicas);
            WriteBrokers(response, partition.InSync);
            if (version >= 5) WriteBrokers(response, partition.Replicas.Where(r => !live.Any(b => b.BrokerId == r)).ToArray());
            response.WriteEmptyTaggedFields();
        }
    }

    private static void WriteBrokers(ProtocolWriter response, int[] brokerIds)
    {
        response.WriteArrayLength(brokerIds.Length);
        foreach (var id in brokerIds) response.WriteInt32(id);
    }

    /// <summary>The topics asked for, or null for all (a null array; in v0 an empty one).</summary>
    private static (List<TopicRequest>? Topics, bool IncludeTopicOperations) Parse(KafkaRequest request)
    {
        var version = request.Version;
        var reader = request.Reader();
        var count = reader.ReadArrayLength();
        List<TopicRequest>? requested = null;
        if (count >= 0)
        {
            requested = new List<TopicRequest>(count);
            for (var i = 0; i < count; i++)
            {
                var id = version >= 10 ? reader.ReadUuid() : Guid.Empty;
                var name = version >= 10 ? reader.ReadNullableString() : reader.ReadString();
                if (name is null && (version < 12 || id == Guid.Empty))
                    throw new KafkaProtocolException("metadata request topic with neither a name nor an id");
                reader.SkipTaggedFields();
                requested.Add(new TopicRequest(id, name));
            }
        }
        if (version == 0 && count == 0) requested = null;
        if (version >= 4) reader.ReadBool(); // allow auto topic creation: Hub never auto-creates
        var includeTopicOperations = false;
        if (version is >= 8 and <= 10) reader.ReadBool(); // include cluster authorized operations
        if (version >= 8) includeTopicOperations = reader.ReadBool();
        reader.SkipTaggedFields();
        return (requested, includeTopicOperations);
    }

    private static bool IsValidName(string name)
    {
        try
        {
            TopicNames.Validate(name);
            return true;
        }
        catch (HubException)
        {
            return false;
        }
    }
}
