using Hub.Errors;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis.Transactions;

/// <summary>What the transactional APIs share: the caller's right to the transactional id, and KIP-588's error-code split.</summary>
internal static class TransactionErrors
{
    /// <summary>
    /// Kafka's code for an error, by request version: PRODUCER_FENCED exists only from the version that KIP-588 bumped
    /// (<paramref name="producerFencedKnown"/>); older clients get INVALID_PRODUCER_EPOCH for it.
    /// </summary>
    public static ErrorCode For(Exception e, bool producerFencedKnown) =>
        KafkaErrors.CodeOf(e) is var code && code == ErrorCode.ProducerFenced && !producerFencedKnown ? ErrorCode.InvalidProducerEpoch : code;

    /// <summary>TRANSACTIONAL_ID_AUTHORIZATION_FAILED unless the principal may WRITE the transactional id.</summary>
    public static async Task RequireWriteAsync(KafkaAuthorizer authorizer, KafkaSession session, string transactionalId)
    {
        if (!await authorizer.AllowsTransactionalIdAsync(session, AclOperation.Write, transactionalId))
            throw new HubException(ErrorCode.TransactionalIdAuthorizationFailed, $"{session.Principal} may not WRITE transactional id '{transactionalId}'");
    }
}
