using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// InitProducerId (key 22) v0-v5 for idempotent producers (the Java client's default): a fresh cluster-unique
/// producer id with epoch 0 on every request, whatever id and epoch the client sends (v3+), as Kafka's
/// coordinator answers without a transactional id: nothing says the sent id is the client's own (two clients
/// that both send 0/0 would share id 0, and the second one's batches would pass for duplicates, never stored).
/// Transactions are not offered, so a transactional id is refused with INVALID_REQUEST.
/// The partition grains check each producer's sequence numbers (<see cref="Log.ProducerStateTable"/>), so a
/// retried batch is stored once.
/// </summary>
internal sealed class InitProducerIdApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.InitProducerId, minVersion: 0, maxVersion: 5, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadNullableString();
        // Read to check the request is whole; without transactions, none of them changes the answer.
        reader.ReadInt32(); // transaction timeout
        if (request.Version >= 3)
        {
            reader.ReadInt64(); // the producer id the client holds
            reader.ReadInt16(); // and its epoch
        }
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        long producerId = -1;
        short epoch = -1;
        if (transactionalId is not null)
        {
            error = ErrorCode.InvalidRequest;
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
