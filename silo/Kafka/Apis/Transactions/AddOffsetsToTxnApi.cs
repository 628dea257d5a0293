using Hub.Errors;
using Hub.Security;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>AddOffsetsToTxn (key 25) v0-v3: the group whose offsets the transaction will commit (TxnOffsetCommit) joins it at the coordinator.</summary>
internal sealed class AddOffsetsToTxnApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.AddOffsetsToTxn, minVersion: 0, maxVersion: 3, firstFlexibleVersion: 3)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadString();
        var producerId = reader.ReadInt64();
        var epoch = reader.ReadInt16();
        var groupId = reader.ReadString();
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        try
        {
            await TransactionErrors.RequireWriteAsync(authorizer, request.Session, transactionalId);
            await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
            await grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId).AddOffsets(producerId, epoch, groupId);
        }
        catch (Exception e)
        {
            error = TransactionErrors.For(e, producerFencedKnown: request.Version >= 2);
        }
        response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
