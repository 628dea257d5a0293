using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Replication;

namespace Hub.Silo.Kafka.Apis.Records;

/// <summary>
/// ListOffsets (key 2) v1-v7: per partition, the earliest offset (timestamp -2), the latest (-1, the high
/// watermark, which is also the last stable offset without transactions), the first record with the largest
/// timestamp (-3, v7's only change, KIP-734) or the first offset whose record timestamp is at or after a time.
/// v8's -4 (tiered storage's local log start) is not offered. From v4 the partition's leader refuses a
/// current_leader_epoch other than its own (KIP-320; see the replication folder's CurrentLeaderEpoch).
/// </summary>
internal sealed class ListOffsetsApi(KafkaTopics topics) : KafkaApi(ApiKey.ListOffsets, minVersion: 1, maxVersion: 7, firstFlexibleVersion: 6)
{
    private sealed class PartitionQuery(int partition, int currentLeaderEpoch, long timestamp)
    {
        public int Partition { get; } = partition;
        public int CurrentLeaderEpoch { get; } = currentLeaderEpoch;
        public long Timestamp { get; } = timestamp;
        public ErrorCode Error { get; set; }
        public OffsetAndTimestamp Result { get; set; } = new(-1, -1);
        public int LeaderEpoch { get; set; } = -1;
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
                if (partition.Error != ErrorCode.None) continue;
                partition.LeaderEpoch = metadata!.Partitions[partition.Partition].LeaderEpoch;
                calls.Add(QueryAsync(topics.Partition(metadata, partition.Partition), topic.Name, partition));
            }
        }
        await Task.WhenAll(calls);

        var version = request.Version;
        if (version >= 2) response.WriteInt32(0); // throttle time
        response.WriteArrayLength(queries.Length);
        foreach (var topic in queries)
        {
            response.WriteString(topic.Name);
            response.WriteArrayLength(topic.Partitions.Length);
            foreach (var partition in topic.Partitions)
            {
                response.WriteInt32(partition.Partition);
                response.WriteInt16((short)partition.Error);
                response.WriteInt64(partition.Error == ErrorCode.None ? partition.Result.TimestampMs : -1);
                response.WriteInt64(partition.Error == ErrorCode.None ? partition.Result.Offset : -1);
                if (version >= 4) response.WriteInt32(partition.LeaderEpoch);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task QueryAsync(Hub.Grains.IPartitionGrain grain, string topic, PartitionQuery partition)
    {
        try
        {
            partition.Result = await grain.ListOffset(partition.Timestamp, partition.CurrentLeaderEpoch);
        }
        catch (Exception e)
        {
            partition.Error = topics.Failed(topic, e);
        }
    }

    private static TopicQuery[] Parse(KafkaRequest request)
    {
        var version = request.Version;
        var reader = request.Reader();
        reader.ReadInt32(); // replica id
        if (version >= 2) reader.ReadInt8(); // isolation level: both levels see the same offsets without transactions
        var topics = new TopicQuery[reader.ReadNonNullArrayLength()];
        for (var t = 0; t < topics.Length; t++)
        {
            var name = reader.ReadString();
            var partitions = new PartitionQuery[reader.ReadNonNullArrayLength()];
            for (var p = 0; p < partitions.Length; p++)
            {
                var index = reader.ReadInt32();
                var currentLeaderEpoch = version >= 4 ? reader.ReadInt32() : CurrentLeaderEpoch.Unchecked;
                partitions[p] = new PartitionQuery(index, currentLeaderEpoch, reader.ReadInt64());
                reader.SkipTaggedFields();
            }
            reader.SkipTaggedFields();
            topics[t] = new TopicQuery(name, partitions);
        }
        reader.SkipTaggedFields();
        return topics;
    }
}
