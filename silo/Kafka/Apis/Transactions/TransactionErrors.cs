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
    /// <para>
    /// A coordinator (or group) that could not be reached, its silo lost or the call timed out, is COORDINATOR_NOT_AVAILABLE,
    /// which clients retry after finding the coordinator again: the NOT_LEADER_OR_FOLLOWER or REQUEST_TIMED_OUT a produce
    /// would get make librdkafka abort the transaction instead (the fault suite saw an AddPartitionsToTxn answered so).
    /// </para>
    public static ErrorCode For(Exception e, bool producerFencedKnown) => KafkaErrors.CodeOf(e) switch
    {
        ErrorCode.ProducerFenced when !producerFencedKnown => ErrorCode.InvalidProducerEpoch,
        _ when e is not HubException => ErrorCode.CoordinatorNotAvailable,
        var code => code,
    };

    /// <summary>TRANSACTIONAL_ID_AUTHORIZATION_FAILED unless the principal may WRITE the transactional id.</summary>
    public static async Task RequireWriteAsync(KafkaAuthorizer authorizer, KafkaSession session, string transactionalId)
    {
        if (!await authorizer.AllowsTransactionalIdAsync(session, AclOperation.Write, transactionalId))
            throw new HubException(ErrorCode.TransactionalIdAuthorizationFailed, $"{session.Principal} may not WRITE transactional id '{transactionalId}'");
    }
}
