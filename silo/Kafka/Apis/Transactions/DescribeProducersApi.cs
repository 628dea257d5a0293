using Hub.Grains;
using Hub.Security;
using Hub.Silo.Kafka.Apis.Records;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Transactions;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// DescribeProducers (key 61) v0: per partition, the producers its leader's log remembers (<see cref="IPartitionGrain.DescribeProducers"/>).
/// Needs READ on the topic (TOPIC_AUTHORIZATION_FAILED); an unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION,
/// a replica that no longer leads NOT_LEADER_OR_FOLLOWER. Hub has no coordinator epochs (its coordinators' stored state
/// is fenced by ETag), so coordinator_epoch is -1; last_timestamp is the leader's clock at the producer's last append.
/// </summary>
internal sealed class DescribeProducersApi(KafkaTopics topics, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.DescribeProducers, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 0)
{
    private const int NoCoordinatorEpoch = -1;

    private sealed class ProducersQuery(int partition) : PartitionQuery(partition, Replication.CurrentLeaderEpoch.Unchecked)
    {
        public ActiveProducer[] Producers { get; set; } = [];
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        // Not PartitionQueries.ReadTopics: the partitions here are a plain int32 array, without tagged fields each.
        var queries = new TopicQuery<ProducersQuery>[reader.ReadNonNullArrayLength()];
        for (var t = 0; t < queries.Length; t++)
        {
            var name = reader.ReadString();
            var partitions = new ProducersQuery[reader.ReadNonNullArrayLength()];
            for (var p = 0; p < partitions.Length; p++) partitions[p] = new ProducersQuery(reader.ReadInt32());
            reader.SkipTaggedFields();
            queries[t] = new TopicQuery<ProducersQuery>(name, partitions);
        }
        reader.SkipTaggedFields();

        await PartitionQueries.AskLeadersAsync<IPartitionGrain, ProducersQuery>(topics, authorizer, request.Session, queries,
            async (grain, _, partition) => partition.Producers = await grain.DescribeProducers(), AclOperation.Read);

        response.WriteInt32(0); // throttle time
        PartitionQueries.WriteTopics(response, queries, partition =>
        {
            response.WriteInt32(partition.Partition);
            response.WriteInt16((short)partition.Error);
            response.WriteNullableString(null); // error message
            response.WriteArrayLength(partition.Producers.Length);
            foreach (var producer in partition.Producers)
            {
                response.WriteInt64(producer.ProducerId);
                response.WriteInt32(producer.Epoch);
                response.WriteInt32(producer.LastSequence);
                response.WriteInt64(producer.LastAppendMs);
                response.WriteInt32(NoCoordinatorEpoch);
                response.WriteInt64(producer.TransactionStartOffset);
                response.WriteEmptyTaggedFields();
            }
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
