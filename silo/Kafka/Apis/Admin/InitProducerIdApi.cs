using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Kafka.Apis.Transactions;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// InitProducerId (key 22) v0-v5 for idempotent producers (the Java client's default): a fresh cluster-unique
/// producer id with epoch 0 on every request, whatever id and epoch the client sends (v3+), as Kafka's
/// coordinator answers without a transactional id: nothing says the sent id is the client's own (two clients
/// that both send 0/0 would share id 0, and the second one's batches would pass for duplicates, never stored).
/// With a transactional id, the id's transaction coordinator answers (<see cref="ITransactionCoordinatorGrain"/>): the
/// id's producer id with a new epoch, fencing older producers of the id, after aborting a transaction they left open.
/// The partition grains check each producer's sequence numbers (<see cref="Log.ProducerStateTable"/>), so a
/// retried batch is stored once.
/// </summary>
internal sealed class InitProducerIdApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.InitProducerId, minVersion: 0, maxVersion: 5, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadNullableString();
        var timeoutMs = reader.ReadInt32();
        // KIP-360: the producer id and epoch the client holds; only a transactional id's coordinator checks them.
        var (heldProducerId, heldEpoch) = request.Version >= 3 ? (reader.ReadInt64(), reader.ReadInt16()) : (-1L, (short)-1);
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        long producerId = -1;
        short epoch = -1;
        if (transactionalId is not null)
        {
            try
            {
                await TransactionErrors.RequireWriteAsync(authorizer, request.Session, transactionalId);
                (producerId, epoch) = await grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId).InitProducerId(timeoutMs, heldProducerId, heldEpoch);
            }
            catch (Exception e)
            {
                error = TransactionErrors.For(e, producerFencedKnown: request.Version >= 4);
            }
        }
        else if (!await authorizer.AllowsOnClusterAsync(request.Session, AclOperation.IdempotentWrite)
                 && !await authorizer.AllowsSomeAsync(request.Session, AclOperation.Write, AclResourceType.Topic))
        {
            // Kafka's rule for an idempotent producer: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic.
            error = ErrorCode.ClusterAuthorizationFailed;
        }
        else
        {
            try
            {
                producerId = await grains.GetGrain<IProducerIdGrain>(0).Allocate();
                epoch = 0;
            }
            catch (Exception e)
            {
                error = KafkaErrors.CodeOf(e);
            }
        }

        response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteInt64(producerId);
        response.WriteInt16(epoch);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
