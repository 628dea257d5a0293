using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// ConsumerGroupDescribe (key 69) v0, KIP-848's describe of consumer-protocol groups: epochs, the assignor, each
/// member's subscription, assignment and target. DESCRIBE on the group is required. A classic group, or none, is
/// GROUP_ID_NOT_FOUND, as in Kafka; admin clients then fall back to DescribeGroups. (v1 only adds KIP-1099's member
/// type, for groups mixing both protocols, which Hub does not have.)
/// </summary>
internal sealed class ConsumerGroupDescribeApi(IGrainFactory grains, KafkaAuthorizer authorizer, KafkaTopics topics)
    : KafkaApi(ApiKey.ConsumerGroupDescribe, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 0)
{
    /// <summary>The operations Kafka reports in a group's authorized-operations bit set.</summary>
    private static readonly AclOperation[] GroupOperations = [AclOperation.Read, AclOperation.Describe, AclOperation.Delete];

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var ids = new string[reader.ReadNonNullArrayLength()];
        for (var i = 0; i < ids.Length; i++) ids[i] = reader.ReadString();
        var includeOperations = reader.ReadBool();
        reader.SkipTaggedFields();

        var results = await Task.WhenAll(ids.Select(id => DescribeAsync(request.Session, id)));
        var names = results.SelectMany(r => r.Group?.Members ?? []).SelectMany(m => m.Assignment.Concat(m.TargetAssignment))
            .Select(p => p.Topic).ToHashSet(StringComparer.Ordinal);
        var topicIds = (await topics.LookUpAsync(names)).ToDictionary(t => t.Key, t => t.Value.TopicId, StringComparer.Ordinal);
        if (includeOperations) await authorizer.ReadyAsync();

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(results.Length);
        for (var i = 0; i < results.Length; i++)
        {
            var (error, message, group) = results[i];
            response.WriteInt16((short)error);
            response.WriteNullableString(message);
            response.WriteString(ids[i]);
            response.WriteString(group?.State ?? "Dead");
            response.WriteInt32(group?.GroupEpoch ?? -1);
            response.WriteInt32(group?.AssignmentEpoch ?? -1);
            response.WriteString(group?.AssignorName ?? "");
            var members = group?.Members ?? [];
            response.WriteArrayLength(members.Length);
            foreach (var member in members)
            {
                response.WriteString(member.MemberId);
                response.WriteNullableString(member.InstanceId);
                response.WriteNullableString(member.RackId);
                response.WriteInt32(member.MemberEpoch);
                response.WriteString(member.ClientId);
                response.WriteString(member.ClientHost);
                response.WriteArrayLength(member.SubscribedTopicNames.Length);
                foreach (var topic in member.SubscribedTopicNames) response.WriteString(topic);
                response.WriteNullableString(member.SubscribedTopicRegex);
                WriteAssignment(response, member.Assignment, topicIds);
                WriteAssignment(response, member.TargetAssignment, topicIds);
                response.WriteEmptyTaggedFields();
            }
            response.WriteInt32(includeOperations && error == ErrorCode.None
                ? authorizer.AuthorizedOperations(request.Session, GroupOperations, AclResourceType.Group, ids[i])
                : KafkaAuthorizer.OperationsNotRequested);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(ErrorCode Error, string? Message, ConsumerGroupDescription? Group)> DescribeAsync(KafkaSession session, string groupId)
    {
        try
        {
            if (groupId.Length == 0) throw new HubException(ErrorCode.InvalidGroupId, "the group id can't be empty");
            await authorizer.RequireGroupAsync(session, AclOperation.Describe, groupId);
            return (ErrorCode.None, null, await grains.GetGrain<IConsumerGroupGrain>(groupId).DescribeConsumerGroup());
        }
        catch (Exception e)
        {
            return (KafkaErrors.CodeOf(e), (e as HubException)?.Message, null);
        }
    }

    private static void WriteAssignment(ProtocolWriter response, TopicPartition[] partitions, Dictionary<string, Guid> topicIds)
    {
        var byTopic = partitions.GroupBy(p => p.Topic).ToList();
        response.WriteArrayLength(byTopic.Count);
        foreach (var topic in byTopic)
        {
            response.WriteUuid(topicIds.GetValueOrDefault(topic.Key));
            response.WriteString(topic.Key);
            response.WriteArrayLength(topic.Count());
            foreach (var partition in topic) response.WriteInt32(partition.Partition);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
    }
}
