using Hub.Errors;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>
/// The shape of AddOffsetsToTxn and EndTxn (v0-v3, flexible from v3): transactional id, producer id and epoch, a
/// field of the call's own; WRITE on the id; one call to its coordinator; an answer of just an error code.
/// </summary>
internal abstract class TransactionCallApi(ApiKey key, KafkaAuthorizer authorizer) : KafkaApi(key, minVersion: 0, maxVersion: 3, firstFlexibleVersion: 3)
{
    /// <summary>Reads the call's own field(s) and returns the call to make once the transactional id is authorized.</summary>
    protected abstract Func<Task> Read(ref ProtocolReader reader, KafkaSession session, string transactionalId, long producerId, short epoch);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var transactionalId = reader.ReadString();
        var producerId = reader.ReadInt64();
        var epoch = reader.ReadInt16();
        var call = Read(ref reader, request.Session, transactionalId, producerId, epoch);
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        try
        {
            await TransactionErrors.RequireWriteAsync(authorizer, request.Session, transactionalId);
            await call();
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
