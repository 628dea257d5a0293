using Hub.Errors;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>What OffsetCommit and TxnOffsetCommit share: which topics the principal may not READ, and the per-partition answer.</summary>
internal static class OffsetCommitResponse
{
    /// <summary>The topics of <paramref name="offsets"/> the principal may not READ: their offsets get TOPIC_AUTHORIZATION_FAILED, the others are committed.</summary>
    public static async Task<HashSet<string>> DeniedTopicsAsync(KafkaAuthorizer authorizer, KafkaSession session, IEnumerable<OffsetCommitEntry> offsets)
    {
        var denied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in offsets.Select(o => o.Topic).Distinct(StringComparer.Ordinal))
            if (!await authorizer.AllowsTopicAsync(session, AclOperation.Read, topic)) denied.Add(topic);
        return denied;
    }

    /// <summary>Each partition named, with <paramref name="error"/> (all or nothing), or TOPIC_AUTHORIZATION_FAILED for a denied topic.</summary>
    public static void WritePartitions(ProtocolWriter response, IEnumerable<OffsetCommitEntry> offsets, ErrorCode error, HashSet<string> deniedTopics)
    {
        var byTopic = offsets.GroupBy(o => o.Topic, StringComparer.Ordinal).ToList();
        response.WriteArrayLength(byTopic.Count);
        foreach (var topic in byTopic)
        {
            response.WriteString(topic.Key);
            response.WriteArrayLength(topic.Count());
            foreach (var entry in topic)
            {
                response.WriteInt32(entry.Partition);
                response.WriteInt16((short)(error == ErrorCode.None && deniedTopics.Contains(topic.Key) ? ErrorCode.TopicAuthorizationFailed : error));
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
    }
}
