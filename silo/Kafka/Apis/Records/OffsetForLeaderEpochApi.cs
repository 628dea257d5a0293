using Hub.Errors;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Records;

/// <summary>
/// OffsetForLeaderEpoch (key 23) v2-v4, Kafka 4.0's range: per partition, where a leader epoch ends in the leader's
/// log, which a consumer asks after a leader change to learn whether the records it read (stamped with that epoch)
/// were cut (KIP-320; librdkafka validates its position so). The partition's leader answers (see the replication
/// folder's LogDivergence.EndOfEpoch) after checking current_leader_epoch as Fetch does. Hub's followers replicate
/// through Orleans, so replica_id (v3+) is read and not used.
/// </summary>
internal sealed class OffsetForLeaderEpochApi(KafkaTopics topics) : KafkaApi(ApiKey.OffsetForLeaderEpoch, minVersion: 2, maxVersion: 4, firstFlexibleVersion: 4)
{
    private sealed class PartitionQuery(int partition, int currentLeaderEpoch, int leaderEpoch)
    {
        public int Partition { get; } = partition;
        public int CurrentLeaderEpoch { get; } = currentLeaderEpoch;
        public int LeaderEpoch { get; } = leaderEpoch;
        public ErrorCode Error { get; set; }
        public EpochEndOffset Result { get; set; } = EpochEndOffset.Unknown;
    }

    private sealed record TopicQuery(string Name, PartitionQuery[] Partitions);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var queries = Parse(request);
        var calls = new List<Task>();
        foreach (var topic in queries)
        {
            var maxPartition = topic.Partitions.Length == 0 ? -1 : topic.Partitions.Max(p => p.Partition);
            var metadata = await topics.GetAsync(topic.Name, maxPartition);
            foreach (var partition in topic.Partitions)
            {
                partition.Error = KafkaTopics.Unreachable(metadata, partition.Partition);
                if (partition.Error == ErrorCode.None)
                    calls.Add(QueryAsync(topics.Partition<IInterBrokerPartitionGrain>(metadata!, partition.Partition), topic.Name, partition));
            }
        }
        await Task.WhenAll(calls);

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(queries.Length);
        foreach (var topic in queries)
        {
            response.WriteString(topic.Name);
            response.WriteArrayLength(topic.Partitions.Length);
            foreach (var partition in topic.Partitions)
            {
                var result = partition.Error == ErrorCode.None ? partition.Result : EpochEndOffset.Unknown;
                response.WriteInt16((short)partition.Error);
                response.WriteInt32(partition.Partition);
                response.WriteInt32(result.LeaderEpoch);
                response.WriteInt64(result.EndOffset);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task QueryAsync(IInterBrokerPartitionGrain grain, string topic, PartitionQuery partition)
    {
        try
        {
            partition.Result = await grain.EndOffsetForEpoch(partition.LeaderEpoch, partition.CurrentLeaderEpoch);
        }
        catch (Exception e)
        {
            partition.Error = topics.Failed(topic, e);
        }
    }

    private static TopicQuery[] Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        if (request.Version >= 3) reader.ReadInt32(); // replica id
        var topics = new TopicQuery[reader.ReadNonNullArrayLength()];
        for (var t = 0; t < topics.Length; t++)
        {
            var name = reader.ReadString();
            var partitions = new PartitionQuery[reader.ReadNonNullArrayLength()];
            for (var p = 0; p < partitions.Length; p++)
            {
                partitions[p] = new PartitionQuery(reader.ReadInt32(), currentLeaderEpoch: reader.ReadInt32(), leaderEpoch: reader.ReadInt32());
                reader.SkipTaggedFields();
            }
            reader.SkipTaggedFields();
            topics[t] = new TopicQuery(name, partitions);
        }
        reader.SkipTaggedFields();
        return topics;
    }
}
