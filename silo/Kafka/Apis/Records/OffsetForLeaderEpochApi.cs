using Hub.Silo.Kafka.Authorization;
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
internal sealed class OffsetForLeaderEpochApi(KafkaTopics topics, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.OffsetForLeaderEpoch, minVersion: 2, maxVersion: 4, firstFlexibleVersion: 4)
{
    private sealed class EpochQuery(int partition, int currentLeaderEpoch, int leaderEpoch) : PartitionQuery(partition, currentLeaderEpoch)
    {
        public int LeaderEpoch { get; } = leaderEpoch;
        public EpochEndOffset Result { get; set; } = EpochEndOffset.Unknown;
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        if (request.Version >= 3) reader.ReadInt32(); // replica id
        var queries = PartitionQueries.ReadTopics(ref reader, static (ref ProtocolReader r) =>
            new EpochQuery(r.ReadInt32(), currentLeaderEpoch: r.ReadInt32(), leaderEpoch: r.ReadInt32()));
        reader.SkipTaggedFields();

        await PartitionQueries.AskLeadersAsync<IInterBrokerPartitionGrain, EpochQuery>(topics, authorizer, request.Session, queries, async (grain, _, partition) =>
            partition.Result = await grain.EndOffsetForEpoch(partition.LeaderEpoch, partition.CurrentLeaderEpoch));

        response.WriteInt32(0); // throttle time
        PartitionQueries.WriteTopics(response, queries, partition =>
        {
            var result = partition.Error == ErrorCode.None ? partition.Result : EpochEndOffset.Unknown;
            response.WriteInt16((short)partition.Error);
            response.WriteInt32(partition.Partition);
            response.WriteInt32(result.LeaderEpoch);
            response.WriteInt64(result.EndOffset);
        });
        response.WriteEmptyTaggedFields();
        return true;
    }
}
