using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Records;

/// <summary>One partition's entry in a request that each partition's leader answers: its error once asked.</summary>
internal abstract class PartitionQuery(int partition, int currentLeaderEpoch)
{
    public int Partition { get; } = partition;

    /// <summary>The leader epoch the client believes current (KIP-320), or -1.</summary>
    public int CurrentLeaderEpoch { get; } = currentLeaderEpoch;

    public ErrorCode Error { get; set; }
}

internal sealed record TopicQuery<TPartition>(string Name, TPartition[] Partitions) where TPartition : PartitionQuery;

/// <summary>Reads one partition's entry of a request.</summary>
internal delegate TPartition ReadPartition<out TPartition>(ref ProtocolReader reader);

/// <summary>
/// The shape ListOffsets and OffsetForLeaderEpoch share: topics by name, each with partitions; every partition's
/// leader is asked at once, and the answer lists the topics and partitions in request order.
/// </summary>
internal static class PartitionQueries
{
    /// <summary>The request's topics (a name and partitions each, then tagged fields), after whatever precedes them.</summary>
    public static TopicQuery<TPartition>[] ReadTopics<TPartition>(ref ProtocolReader reader, ReadPartition<TPartition> readPartition)
        where TPartition : PartitionQuery
    {
        var topics = new TopicQuery<TPartition>[reader.ReadNonNullArrayLength()];
        for (var t = 0; t < topics.Length; t++)
        {
            var name = reader.ReadString();
            var partitions = new TPartition[reader.ReadNonNullArrayLength()];
            for (var p = 0; p < partitions.Length; p++)
            {
                partitions[p] = readPartition(ref reader);
                reader.SkipTaggedFields();
            }
            reader.SkipTaggedFields();
            topics[t] = new TopicQuery<TPartition>(name, partitions);
        }
        return topics;
    }

    /// <summary>
    /// Asks every partition's leader through <paramref name="ask"/>, all at once. A partition of an unknown topic, past
    /// its partition count or without a leader gets its error without a call; a failed call, the error it failed
    /// with (dropping the gateway's cached topic when that is stale). A topic the session may not DESCRIBE (or the
    /// API's <paramref name="operation"/>) gets TOPIC_AUTHORIZATION_FAILED, whether it exists or not. A partition named more than once gets INVALID_REQUEST in
    /// every entry, without a call, as Kafka's ListOffsets answers it: a request naming one partition a million times
    /// costs nothing.
    /// </summary>
    public static async Task AskLeadersAsync<TGrain, TPartition>(KafkaTopics topics, KafkaAuthorizer authorizer, KafkaSession session,
        TopicQuery<TPartition>[] queries, Func<TGrain, TopicMetadata, TPartition, Task> ask, AclOperation operation = AclOperation.Describe)
        where TGrain : IPartitionGrain where TPartition : PartitionQuery
    {
        var calls = new List<Task>();
        var known = await topics.GetManyAsync(queries.Select(t => (t.Name, t.Partitions.Select(p => p.Partition))));
        var named = queries.SelectMany(t => t.Partitions.Select(p => (t.Name, p.Partition))).CountBy(p => p).ToDictionary();
        foreach (var topic in queries)
        {
            if (!await authorizer.AllowsTopicAsync(session, operation, topic.Name))
            {
                foreach (var partition in topic.Partitions) partition.Error = ErrorCode.TopicAuthorizationFailed;
                continue;
            }
            var metadata = known.GetValueOrDefault(topic.Name);
            foreach (var partition in topic.Partitions)
            {
                partition.Error = named[(topic.Name, partition.Partition)] > 1 ? ErrorCode.InvalidRequest : KafkaTopics.Unreachable(metadata, partition.Partition);
                if (partition.Error == ErrorCode.None) calls.Add(AskAsync(topics.Partition<TGrain>(metadata!, partition.Partition), metadata!, partition));
            }
        }
        await Task.WhenAll(calls);

        async Task AskAsync(TGrain grain, TopicMetadata metadata, TPartition partition)
        {
            try
            {
                await ask(grain, metadata, partition);
            }
            catch (Exception e)
            {
                partition.Error = topics.Failed(metadata.Name, e);
            }
        }
    }

    /// <summary>The answer's topics in request order, each partition's fields written by <paramref name="writePartition"/>.</summary>
    public static void WriteTopics<TPartition>(ProtocolWriter response, TopicQuery<TPartition>[] queries, Action<TPartition> writePartition)
        where TPartition : PartitionQuery
    {
        response.WriteArrayLength(queries.Length);
        foreach (var topic in queries)
        {
            response.WriteString(topic.Name);
            response.WriteArrayLength(topic.Partitions.Length);
            foreach (var partition in topic.Partitions)
            {
                writePartition(partition);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
    }
}
