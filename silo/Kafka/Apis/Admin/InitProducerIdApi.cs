using Hub.Errors;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// InitProducerId (key 22) v0-v5 for idempotent producers (the Java client's default): a cluster-unique
/// producer id with epoch 0, or, when a producer re-initializes with its id and epoch (v3+), the same id with
/// the next epoch. Transactions are not offered, so a transactional id is refused with INVALID_REQUEST.
/// The partition grains check each producer's sequence numbers (<see cref="Log.ProducerStateTable"/>), so a
/// retried batch is stored once.
/// </summary>
internal sealed class InitProducerIdApi(IGrainFactory grains) : KafkaApi(ApiKey.InitProducerId, minVersion: 0, maxVersion: 5, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadNullableString();
        reader.ReadInt32(); // transaction timeout
        long producerId = -1;
        short epoch = -1;
        if (request.Version >= 3)
        {
            producerId = reader.ReadInt64();
            epoch = reader.ReadInt16();
        }
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        if (transactionalId is not null)
        {
            error = ErrorCode.InvalidRequest;
            producerId = -1;
            epoch = -1;
        }
        else if (producerId >= 0 && epoch is >= 0 and < short.MaxValue - 1)
        {
            epoch++;
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
                producerId = -1;
                epoch = -1;
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
