using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// OffsetDelete (key 47) v0 onto <see cref="IConsumerGroupGrain.DeleteOffsets"/>, with Kafka's checks: DELETE on the
/// group (GROUP_AUTHORIZATION_FAILED for the whole request), READ on each topic (TOPIC_AUTHORIZATION_FAILED on its
/// partitions), and partitions that exist (UNKNOWN_TOPIC_OR_PARTITION); a group-wide error (GROUP_ID_NOT_FOUND,
/// NON_EMPTY_GROUP, INVALID_GROUP_ID) leaves the topics out, as Kafka's response does. v1 (KIP-1313) only makes the
/// same fields flexible, and no client here sends it.
/// </summary>
internal sealed class OffsetDeleteApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.OffsetDelete, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 1)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var groupId = reader.ReadString();
        var asked = new List<(string Topic, int[] Partitions)>();
        var topicCount = reader.ReadNonNullArrayLength();
        for (var t = 0; t < topicCount; t++)
        {
            var topic = reader.ReadString();
            var partitions = new int[reader.ReadNonNullArrayLength()];
            for (var p = 0; p < partitions.Length; p++) partitions[p] = reader.ReadInt32();
            asked.Add((topic, partitions));
        }

        var (error, errors) = await DeleteAsync(request.Session, groupId, asked);

        response.WriteInt16((short)error);
        response.WriteInt32(0); // throttle time
        if (error != ErrorCode.None)
        {
            response.WriteArrayLength(0);
            return true;
        }
        response.WriteArrayLength(asked.Count);
        foreach (var (topic, partitions) in asked)
        {
            response.WriteString(topic);
            response.WriteArrayLength(partitions.Length);
            foreach (var partition in partitions)
            {
                response.WriteInt32(partition);
                response.WriteInt16((short)errors[new TopicPartition(topic, partition)]);
            }
        }
        return true;
    }

    private async Task<(ErrorCode Error, Dictionary<TopicPartition, ErrorCode> Partitions)> DeleteAsync(KafkaSession session, string groupId,
        List<(string Topic, int[] Partitions)> asked)
    {
        var errors = new Dictionary<TopicPartition, ErrorCode>();
        if (groupId.Length == 0) return (ErrorCode.InvalidGroupId, errors);
        try
        {
            await authorizer.RequireGroupAsync(session, AclOperation.Delete, groupId);
            var names = asked.Select(a => a.Topic).Distinct(StringComparer.Ordinal).ToArray();
            var topics = (await grains.GetGrain<IClusterControllerGrain>(0).GetTopics(names)).ToDictionary(t => t.Name, StringComparer.Ordinal);
            var deletable = new List<TopicPartition>();
            foreach (var (topic, partitions) in asked)
            {
                var readable = await authorizer.AllowsTopicAsync(session, AclOperation.Read, topic);
                foreach (var partition in partitions)
                {
                    var key = new TopicPartition(topic, partition);
                    if (!readable) errors[key] = ErrorCode.TopicAuthorizationFailed;
                    else if (!topics.TryGetValue(topic, out var metadata) || partition < 0 || partition >= metadata.PartitionCount)
                        errors[key] = ErrorCode.UnknownTopicOrPartition;
                    else deletable.Add(key);
                }
            }
            var deleted = await grains.GetGrain<IConsumerGroupGrain>(groupId).DeleteOffsets([.. deletable]);
            for (var i = 0; i < deletable.Count; i++) errors[deletable[i]] = deleted[i];
            return (ErrorCode.None, errors);
        }
        catch (Exception e)
        {
            return (KafkaErrors.CodeOf(e), errors);
        }
    }
}
