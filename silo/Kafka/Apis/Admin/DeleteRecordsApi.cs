using Hub.Errors;
using Hub.Grains;
using Hub.Security;
using Hub.Silo.Kafka.Apis.Records;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// DeleteRecords (key 21) v0-v2: each partition's leader moves its log start to the offset given (-1: the high
/// watermark; see <see cref="IPartitionGrain.DeleteRecords"/>) and answers it as the low watermark. DELETE on the topic
/// is required (TOPIC_AUTHORIZATION_FAILED otherwise), as in Kafka; an offset above the high watermark is
/// OFFSET_OUT_OF_RANGE. Followers move their log start as they next fetch; the answer does not wait for them (Kafka's
/// does, up to the request's timeout), so the low watermark is the leader's.
/// </summary>
internal sealed class DeleteRecordsApi(KafkaTopics topics, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.DeleteRecords, minVersion: 0, maxVersion: 2, firstFlexibleVersion: 2)
{
    private sealed class Deletion(int partition, long offset) : PartitionQuery(partition, currentLeaderEpoch: -1)
    {
        public long Offset { get; } = offset;

        public long LowWatermark { get; set; } = -1;
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var queries = PartitionQueries.ReadTopics(ref reader, (ref ProtocolReader r) => new Deletion(r.ReadInt32(), r.ReadInt64()));
        reader.ReadInt32(); // timeout: the answer waits for leaders only, each answering at once
        reader.SkipTaggedFields();

        await PartitionQueries.AskLeadersAsync<IPartitionGrain, Deletion>(topics, authorizer, request.Session, queries,
            async (grain, _, partition) => partition.LowWatermark = await grain.DeleteRecords(partition.Offset), AclOperation.Delete);

        response.WriteInt32(0); // throttle time
        PartitionQueries.WriteTopics(response, queries, partition =>
        {
            response.WriteInt32(partition.Partition);
            response.WriteInt64(partition.Error == ErrorCode.None ? partition.LowWatermark : -1);
            response.WriteInt16((short)partition.Error);
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
