using Hub.Grains;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// EndTxn (key 26) v0-v3: commit or abort. Answered once the decision is durable at the coordinator (and, within a few
/// seconds, its markers written). v4 (TRANSACTION_ABORTABLE) and v5 (KIP-890's transactions v2) are not offered.
/// </summary>
internal sealed class EndTxnApi(IGrainFactory grains, KafkaAuthorizer authorizer) : TransactionCallApi(ApiKey.EndTxn, authorizer)
{
    protected override Func<Task> Read(ref ProtocolReader reader, KafkaSession session, string transactionalId, long producerId, short epoch)
    {
        var commit = reader.ReadBool();
        return () => grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId).EndTransaction(producerId, epoch, commit);
    }
}
