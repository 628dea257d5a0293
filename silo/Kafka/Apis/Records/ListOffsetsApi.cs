using Hub.Silo.Kafka.Authorization;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Replication;

namespace Hub.Silo.Kafka.Apis.Records;

/// <summary>
/// ListOffsets (key 2) v1-v7: per partition, the earliest offset (timestamp -2), the latest (-1: the high
/// watermark, or for read_committed the last stable offset, see ConsumerReadEnd), the first record with the largest
/// timestamp (-3, v7's only change, KIP-734) or the first offset whose record timestamp is at or after a time.
/// v8's -4 (tiered storage's local log start) is not offered. From v4 the partition's leader refuses a
/// current_leader_epoch other than its own (KIP-320; see the replication folder's CurrentLeaderEpoch).
/// </summary>
internal sealed class ListOffsetsApi(KafkaTopics topics, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.ListOffsets, minVersion: 1, maxVersion: 7, firstFlexibleVersion: 6)
{
    private sealed class OffsetQuery(int partition, int currentLeaderEpoch, long timestamp) : PartitionQuery(partition, currentLeaderEpoch)
    {
        public long Timestamp { get; } = timestamp;
        public OffsetAndTimestamp Result { get; set; } = new(-1, -1);
        public int LeaderEpoch { get; set; } = -1;
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        reader.ReadInt32(); // replica id
        // Before v2 there was no isolation level: such clients read uncommitted, as in Kafka.
        var isolationLevel = version >= 2 ? (IsolationLevel)reader.ReadInt8() : IsolationLevel.ReadUncommitted;
        var queries = PartitionQueries.ReadTopics(ref reader, (ref ProtocolReader r) =>
        {
            var index = r.ReadInt32();
            var currentLeaderEpoch = version >= 4 ? r.ReadInt32() : CurrentLeaderEpoch.Unchecked;
            return new OffsetQuery(index, currentLeaderEpoch, r.ReadInt64());
        });
        reader.SkipTaggedFields();

        await PartitionQueries.AskLeadersAsync<IPartitionGrain, OffsetQuery>(topics, authorizer, request.Session, queries, async (grain, metadata, partition) =>
        {
            partition.LeaderEpoch = metadata.Partitions[partition.Partition].LeaderEpoch;
            partition.Result = await grain.ListOffset(partition.Timestamp, partition.CurrentLeaderEpoch, isolationLevel);
        });

        if (version >= 2) response.WriteInt32(0); // throttle time
        PartitionQueries.WriteTopics(response, queries, partition =>
        {
            response.WriteInt32(partition.Partition);
            response.WriteInt16((short)partition.Error);
            response.WriteInt64(partition.Error == ErrorCode.None ? partition.Result.TimestampMs : -1);
            response.WriteInt64(partition.Error == ErrorCode.None ? partition.Result.Offset : -1);
            if (version >= 4) response.WriteInt32(partition.LeaderEpoch);
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
