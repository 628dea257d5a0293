using Hub.Errors;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Apis.Groups;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// TxnOffsetCommit (key 28) v0-v3: offsets committed inside a transaction (a consume-transform-produce loop's
/// SendOffsetsToTransaction). The group stores them as pending; they become its committed offsets when the transaction
/// commits, and are dropped when it aborts. From v3 the group member is checked as OffsetCommit checks it (KIP-447).
/// </summary>
internal sealed class TxnOffsetCommitApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.TxnOffsetCommit, minVersion: 0, maxVersion: 3, firstFlexibleVersion: 3)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var transactionalId = reader.ReadString();
        var groupId = reader.ReadString();
        var producerId = reader.ReadInt64();
        reader.ReadInt16(); // producer epoch: the coordinator fenced older producers when the group joined the transaction
        var generation = version >= 3 ? reader.ReadInt32() : OffsetCommitRequest.NoGeneration;
        var memberId = version >= 3 ? reader.ReadString() : "";
        var instanceId = version >= 3 ? reader.ReadNullableString() : null;
        var offsets = new List<OffsetCommitEntry>();
        var topicCount = reader.ReadNonNullArrayLength();
        for (var t = 0; t < topicCount; t++)
        {
            var topic = reader.ReadString();
            var partitionCount = reader.ReadNonNullArrayLength();
            for (var p = 0; p < partitionCount; p++)
            {
                var partition = reader.ReadInt32();
                var offset = reader.ReadInt64();
                var leaderEpoch = version >= 2 ? reader.ReadInt32() : -1;
                var metadata = reader.ReadNullableString();
                reader.SkipTaggedFields();
                offsets.Add(new OffsetCommitEntry(topic, partition, offset, leaderEpoch, metadata));
            }
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        var deniedTopics = await OffsetCommitResponse.DeniedTopicsAsync(authorizer, request.Session, offsets);
        try
        {
            await TransactionErrors.RequireWriteAsync(authorizer, request.Session, transactionalId);
            await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
            await grains.GetGrain<IInterBrokerGroupGrain>(groupId).CommitTransactionalOffsets(producerId, new OffsetCommitRequest
            {
                GenerationId = generation,
                MemberId = memberId,
                GroupInstanceId = instanceId,
                Offsets = offsets.Where(o => !deniedTopics.Contains(o.Topic)).ToArray(),
            });
        }
        catch (Exception e)
        {
            error = TransactionErrors.For(e, producerFencedKnown: version >= 3);
        }

        response.WriteInt32(0); // throttle time
        OffsetCommitResponse.WritePartitions(response, offsets, error, deniedTopics);
        return true;
    }
}
