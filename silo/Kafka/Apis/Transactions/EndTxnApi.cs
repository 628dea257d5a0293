using Hub.Errors;
using Hub.Silo.InterBroker;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// EndTxn (key 26) v0-v3: commit or abort. Answered once the decision is durable at the coordinator (and, within a few
/// seconds, its markers written). v4 (TRANSACTION_ABORTABLE) and v5 (KIP-890's transactions v2) are not offered.
/// </summary>
internal sealed class EndTxnApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.EndTxn, minVersion: 0, maxVersion: 3, firstFlexibleVersion: 3)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadString();
        var producerId = reader.ReadInt64();
        var epoch = reader.ReadInt16();
        var commit = reader.ReadBool();
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        try
        {
            await TransactionErrors.RequireWriteAsync(authorizer, request.Session, transactionalId);
            await grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId).EndTransaction(producerId, epoch, commit);
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
