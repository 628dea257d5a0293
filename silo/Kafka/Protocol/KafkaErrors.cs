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
        // The silo holding the partition is gone or going: the client refreshes metadata and retries.
        SiloUnavailableException => ErrorCode.NotLeaderOrFollower,
        OperationCanceledException => ErrorCode.RequestTimedOut,
        _ => ErrorCode.UnknownServerError,
    };
}
