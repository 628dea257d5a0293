using System.Text;
using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// DescribeTopicPartitions (key 75) v0, KIP-966: the topics asked for (none: every topic), each partition's leader,
/// epoch, replicas, ISR and offline replicas, paged by a partition limit and a cursor (see <see cref="TopicPartitionsPage"/>).
/// Hub has no eligible leader replicas (ELR), so both ELR lists are empty. As in Kafka, a topic named but not
/// DESCRIBE-able is TOPIC_AUTHORIZATION_FAILED (whether it exists or not) and left out of paging; a listing of every
/// topic leaves such topics out; a cursor whose topic is not among those named, or a negative cursor partition, is INVALID_REQUEST.
/// </summary>
internal sealed class DescribeTopicPartitionsApi(KafkaTopics topics, KafkaBrokers brokers, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.DescribeTopicPartitions, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 0)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (named, limit, cursor) = Parse(request);
        var all = named.Count == 0;
        // Topics before the cursor's were answered in earlier pages.
        var wanted = new SortedSet<string>(StringComparer.Ordinal);
        var listed = all ? await topics.ListAsync() : [];
        if (all) wanted.UnionWith(listed.Select(t => t.Name));
        else wanted.UnionWith(named);
        if (cursor is { } c) wanted.RemoveWhere(name => string.CompareOrdinal(name, c.Topic) < 0);

        response.WriteInt32(0); // throttle time
        if (cursor is { } bad && (bad.Partition < 0 || (!all && !wanted.Contains(bad.Topic))))
        {
            // Kafka refuses the whole request, answering each topic named with the error.
            response.WriteArrayLength(named.Count);
            foreach (var name in named) WriteTopic(response, ErrorCode.InvalidRequest, name, null, 0, 0, [], KafkaAuthorizer.OperationsNotRequested);
            response.WriteInt8(-1); // no next cursor
            response.WriteEmptyTaggedFields();
            return true;
        }

        await authorizer.ReadyAsync();
        var refused = wanted.Where(name => !authorizer.Allows(request.Session, AclOperation.Describe, AclResourceType.Topic, name)).ToList();
        wanted.ExceptWith(refused);
        var found = all ? listed.ToDictionary(t => t.Name, StringComparer.Ordinal) : await LookUpAsync(wanted);
        var (slices, next) = TopicPartitionsPage.Take(wanted.Select(name => (name, found.GetValueOrDefault(name)?.PartitionCount)).ToList(),
            cursor, TopicPartitionsPage.Limit(limit));

        var live = brokers.Live(request.Session.Listener);
        if (all) refused.Clear(); // a listing of every topic doesn't name those the principal may not see
        response.WriteArrayLength(slices.Count + refused.Count);
        foreach (var slice in slices)
        {
            if (found.GetValueOrDefault(slice.Topic) is not { } topic || slice.Count < 0)
            {
                var error = TopicNames.IsValid(Encoding.UTF8.GetBytes(slice.Topic)) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopic;
                WriteTopic(response, error, slice.Topic, null, 0, 0, live, KafkaAuthorizer.OperationsNotRequested);
                continue;
            }
            var operations = authorizer.AuthorizedOperations(request.Session, MetadataApi.TopicOperations, AclResourceType.Topic, topic.Name);
            WriteTopic(response, ErrorCode.None, topic.Name, topic, slice.First, slice.Count, live, operations);
        }
        foreach (var name in refused) WriteTopic(response, ErrorCode.TopicAuthorizationFailed, name, null, 0, 0, live, KafkaAuthorizer.OperationsNotRequested);
        if (next is { } n)
        {
            response.WriteInt8(1);
            response.WriteString(n.Topic);
            response.WriteInt32(n.Partition);
            response.WriteEmptyTaggedFields();
        }
        else response.WriteInt8(-1);
        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>The topics named, by name: at most one controller call (a listing of every topic when more are named than one lookup takes).</summary>
    private async Task<Dictionary<string, TopicMetadata>> LookUpAsync(IReadOnlyCollection<string> names)
    {
        var valid = names.Where(n => TopicNames.IsValid(Encoding.UTF8.GetBytes(n))).ToList();
        if (valid.Count == 0) return [];
        if (valid.Count <= KafkaTopics.MaxNamesPerLookup) return await topics.LookUpAsync(valid);
        return (await topics.ListAsync()).Where(t => names.Contains(t.Name)).ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    private void WriteTopic(ProtocolWriter response, ErrorCode error, string name, TopicMetadata? topic, int first, int count,
        IReadOnlyList<BrokerEndpoint> live, int operations)
    {
        response.WriteInt16((short)error);
        response.WriteNullableString(name);
        response.WriteUuid(topic?.TopicId ?? Guid.Empty);
        response.WriteBool(false); // is internal: Hub keeps its own state in grains, not in topics
        response.WriteArrayLength(topic is null ? 0 : count);
        for (var i = 0; topic is not null && i < count; i++)
        {
            var partition = topic.Partitions[first + i];
            response.WriteInt16((short)(partition.HasLeader ? ErrorCode.None : ErrorCode.LeaderNotAvailable));
            response.WriteInt32(partition.Partition);
            response.WriteInt32(MetadataApi.ReportedLeader(partition, live, brokers.LocalBrokerId));
            response.WriteInt32(partition.LeaderEpoch);
            MetadataApi.WriteBrokers(response, partition.Replicas);
            MetadataApi.WriteBrokers(response, partition.InSync);
            response.WriteArrayLength(0); // eligible leader replicas: Hub has no ELR (KIP-966's unclean-recovery state)
            response.WriteArrayLength(0); // last known ELR
            MetadataApi.WriteBrokers(response, MetadataApi.OfflineReplicas(partition, live));
            response.WriteEmptyTaggedFields();
        }
        response.WriteInt32(operations);
        response.WriteEmptyTaggedFields();
    }

    /// <summary>The distinct topic names asked for, in request order; the partition limit; the cursor, if any.</summary>
    private static (List<string> Named, int Limit, TopicPartitionsPage.Cursor? Cursor) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var named = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = reader.ReadNonNullArrayLength(); i > 0; i--)
        {
            var name = reader.ReadString();
            reader.SkipTaggedFields();
            if (seen.Add(name)) named.Add(name);
        }
        var limit = reader.ReadInt32();
        TopicPartitionsPage.Cursor? cursor = null;
        if (reader.ReadInt8() >= 0)
        {
            cursor = new TopicPartitionsPage.Cursor(reader.ReadString(), reader.ReadInt32());
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        return (named, limit, cursor);
    }
}
