using Hub.Grains;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>AddOffsetsToTxn (key 25) v0-v3: the group whose offsets the transaction will commit (TxnOffsetCommit) joins it at the coordinator.</summary>
internal sealed class AddOffsetsToTxnApi(IGrainFactory grains, KafkaAuthorizer authorizer) : TransactionCallApi(ApiKey.AddOffsetsToTxn, authorizer)
{
    protected override Func<Task> Read(ref ProtocolReader reader, KafkaSession session, string transactionalId, long producerId, short epoch)
    {
        var groupId = reader.ReadString();
        return async () =>
        {
            await authorizer.RequireGroupAsync(session, AclOperation.Read, groupId);
            await grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId).AddOffsets(producerId, epoch, groupId);
        };
    }
}
