using Hub.Errors;

namespace Hub.Silo.Kafka.Protocol;

/// <summary>Turns a failed grain call into the Kafka error code a client acts on.</summary>
internal static class KafkaErrors
{
    public static ErrorCode CodeOf(Exception e) => e switch
    {
        HubException hub => hub.Code,
        // A grain call that took longer than Orleans' response timeout: the client retries.
        TimeoutException => ErrorCode.RequestTimedOut,
        // The silo holding the partition is gone or going, or Orleans refused the message on its way there (the
        // grain never ran it): the client refreshes metadata and retries. UNKNOWN_SERVER_ERROR would fail the
        // records for good, and librdkafka then bumps its idempotent producer's epoch, re-sending under the new
        // epoch records it could not know were stored: duplicates no broker can recognise.
        OrleansMessageRejectionException => ErrorCode.NotLeaderOrFollower,
        OperationCanceledException => ErrorCode.RequestTimedOut,
        _ => ErrorCode.UnknownServerError,
    };
}
