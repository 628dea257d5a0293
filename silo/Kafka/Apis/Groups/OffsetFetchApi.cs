using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// OffsetFetch (key 9) v0-v9 onto <see cref="IConsumerGroupGrain.FetchOffsets"/>: the given partitions, or
/// (v2+, null topics) every partition with a committed offset. Offset -1 where none is committed.
/// With require_stable (v7, KIP-447) a partition whose offset a transaction not yet ended committed
/// (TxnOffsetCommit) gets UNSTABLE_OFFSET_COMMIT, which clients retry. An empty group id is INVALID_GROUP_ID.
/// v8 asks for several groups at once, each answered on its own; v9 adds KIP-848's member id and epoch, which
/// identify a member of a group of the new protocol: Hub's groups are all classic, so they are read and not checked.
/// </summary>
internal sealed class OffsetFetchApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.OffsetFetch, minVersion: 0, maxVersion: 9, firstFlexibleVersion: 6)
{
    /// <summary>The first version that asks for a list of groups.</summary>
    private const short FirstGroupsVersion = 8;

    /// <summary>One group's answer: its error, offsets, topics the principal may not describe, and offsets a transaction holds.</summary>
    private sealed record GroupOffsets(ErrorCode Error, CommittedOffset[] Offsets, HashSet<string> DeniedTopics, HashSet<TopicPartition> Unstable);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var asked = new List<(string GroupId, List<TopicPartition>? Wanted)>();
        if (version < FirstGroupsVersion)
        {
            var groupId = reader.ReadString();
            asked.Add((groupId, ReadTopics(ref reader, version)));
        }
        else
        {
            for (var g = reader.ReadNonNullArrayLength(); g > 0; g--)
            {
                var groupId = reader.ReadString();
                if (version >= 9)
                {
                    reader.ReadNullableString(); // member id
                    reader.ReadInt32(); // member epoch
                }
                asked.Add((groupId, ReadTopics(ref reader, version)));
                reader.SkipTaggedFields();
            }
        }
        var requireStable = version >= 7 && reader.ReadBool();
        reader.SkipTaggedFields();

        var answers = await Task.WhenAll(asked.Select(a => FetchAsync(request.Session, a.GroupId, a.Wanted, requireStable)));

        if (version >= 3) response.WriteInt32(0); // throttle time
        if (version < FirstGroupsVersion)
        {
            WriteTopics(response, version, answers[0]);
            if (version >= 2) response.WriteInt16((short)answers[0].Error);
        }
        else
        {
            response.WriteArrayLength(asked.Count);
            for (var g = 0; g < asked.Count; g++)
            {
                response.WriteString(asked[g].GroupId);
                WriteTopics(response, version, answers[g]);
                response.WriteInt16((short)answers[g].Error);
                response.WriteEmptyTaggedFields();
            }
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>A group's topics array: the partitions asked for, or null for every one with an offset (v2+).</summary>
    private static List<TopicPartition>? ReadTopics(ref ProtocolReader reader, short version)
    {
        var topicCount = reader.ReadArrayLength();
        if (topicCount < 0) return null;
        var wanted = new List<TopicPartition>();
        for (var t = 0; t < topicCount; t++)
        {
            var topic = reader.ReadString();
            var count = reader.ReadNonNullArrayLength();
            for (var p = 0; p < count; p++) wanted.Add(new TopicPartition(topic, reader.ReadInt32()));
            reader.SkipTaggedFields();
        }
        return wanted;
    }

    private async Task<GroupOffsets> FetchAsync(KafkaSession session, string groupId, List<TopicPartition>? wanted, bool requireStable)
    {
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
                await authorizer.RequireGroupAsync(session, AclOperation.Describe, groupId);
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
            if (!await authorizer.AllowsTopicAsync(session, AclOperation.Describe, topic)) deniedTopics.Add(topic);
        if (wanted is null) offsets = offsets.Where(o => !deniedTopics.Contains(o.Topic)).ToArray();
        else if (deniedTopics.Count > 0)
            offsets = offsets.Select(o => deniedTopics.Contains(o.Topic) ? new CommittedOffset(o.Topic, o.Partition, CommittedOffset.None, -1, null, -1) : o).ToArray();
        return new GroupOffsets(error, offsets, deniedTopics, unstable);
    }

    private static void WriteTopics(ProtocolWriter response, short version, GroupOffsets group)
    {
        var byTopic = group.Offsets.GroupBy(o => o.Topic, StringComparer.Ordinal).ToList();
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
                response.WriteInt16((short)(version < 2 && group.Error != ErrorCode.None ? group.Error
                    : group.DeniedTopics.Contains(topic.Key) ? ErrorCode.TopicAuthorizationFailed
                    : group.Unstable.Contains(new TopicPartition(offset.Topic, offset.Partition)) ? ErrorCode.UnstableOffsetCommit
                    : ErrorCode.None));
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
    }
}
