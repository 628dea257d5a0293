using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// OffsetFetch (key 9) v0-v7 onto <see cref="IConsumerGroupGrain.FetchOffsets"/>: the given partitions, or
/// (v2+, null topics) every partition with a committed offset. Offset -1 where none is committed.
/// With require_stable (v7, KIP-447) a partition whose offset a transaction not yet ended committed
/// (TxnOffsetCommit) gets UNSTABLE_OFFSET_COMMIT, which clients retry. An empty group id is INVALID_GROUP_ID.
/// </summary>
internal sealed class OffsetFetchApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.OffsetFetch, minVersion: 0, maxVersion: 7, firstFlexibleVersion: 6)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var groupId = reader.ReadString();
        List<TopicPartition>? wanted = null;
        var topicCount = reader.ReadArrayLength();
        if (topicCount >= 0)
        {
            wanted = [];
            for (var t = 0; t < topicCount; t++)
            {
                var topic = reader.ReadString();
                var count = reader.ReadNonNullArrayLength();
                for (var p = 0; p < count; p++) wanted.Add(new TopicPartition(topic, reader.ReadInt32()));
                reader.SkipTaggedFields();
            }
        }
        var requireStable = version >= 7 && reader.ReadBool();
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        CommittedOffset[] offsets = [];
        HashSet<TopicPartition> unstable = [];
        if (groupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else
        {
            try
            {
                await authorizer.RequireGroupAsync(request.Session, AclOperation.Describe, groupId);
                offsets = await grains.GetGrain<IConsumerGroupGrain>(groupId).FetchOffsets(wanted?.ToArray());
                if (requireStable && wanted is not null)
                    unstable = [.. await grains.GetGrain<IInterBrokerGroupGrain>(groupId).PendingTransactionalOffsets([.. wanted])];
            }
            catch (Exception e)
            {
                error = KafkaErrors.CodeOf(e);
            }
        }
        if (error != ErrorCode.None && wanted is not null)
        {
            offsets = wanted.Select(p => new CommittedOffset(p.Topic, p.Partition, CommittedOffset.None, -1, null, -1)).ToArray();
        }

        // Topics the principal may not DESCRIBE: left out of a listing of every offset, and refused when asked for.
        var deniedTopics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in offsets.Select(o => o.Topic).Distinct(StringComparer.Ordinal))
            if (!await authorizer.AllowsTopicAsync(request.Session, AclOperation.Describe, topic)) deniedTopics.Add(topic);
        if (wanted is null) offsets = offsets.Where(o => !deniedTopics.Contains(o.Topic)).ToArray();
        else if (deniedTopics.Count > 0)
            offsets = offsets.Select(o => deniedTopics.Contains(o.Topic) ? new CommittedOffset(o.Topic, o.Partition, CommittedOffset.None, -1, null, -1) : o).ToArray();

        if (version >= 3) response.WriteInt32(0); // throttle time
        var byTopic = offsets.GroupBy(o => o.Topic, StringComparer.Ordinal).ToList();
        response.WriteArrayLength(byTopic.Count);
        foreach (var topic in byTopic)
        {
            response.WriteString(topic.Key);
            response.WriteArrayLength(topic.Count());
            foreach (var offset in topic)
            {
                response.WriteInt32(offset.Partition);
                response.WriteInt64(offset.Offset);
                if (version >= 5) response.WriteInt32(offset.LeaderEpoch);
                response.WriteNullableString(offset.Exists ? offset.Metadata ?? "" : "");
                // Before v2 there is no top-level error code, so a group-wide error goes on every partition.
                response.WriteInt16((short)(version < 2 && error != ErrorCode.None ? error
                    : deniedTopics.Contains(topic.Key) ? ErrorCode.TopicAuthorizationFailed
                    : unstable.Contains(new TopicPartition(offset.Topic, offset.Partition)) ? ErrorCode.UnstableOffsetCommit
                    : version < 2 ? error : ErrorCode.None));
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        if (version >= 2) response.WriteInt16((short)error);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
