using System.Runtime.CompilerServices;
using Hub.Errors;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>What a Kafka client is told when a grain call fails: retriable where nothing was done.</summary>
public sealed class KafkaErrorsTests
{
    [Fact]
    public void A_message_orleans_refused_on_its_way_is_a_retriable_not_leader_answer()
    {
        // Such as "the target silo became unavailable" for a produce forwarded to a partition's killed leader:
        // UNKNOWN_SERVER_ERROR made librdkafka fail the records and bump its producer epoch (seen in the fault soak).
        Assert.Equal(ErrorCode.NotLeaderOrFollower, KafkaErrors.CodeOf(Rejection()));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, KafkaErrors.CodeOf(new SiloUnavailableException()));
    }

    [Fact]
    public void Refusals_keep_their_code_timeouts_are_retriable_and_only_the_unexpected_is_unknown()
    {
        Assert.Equal(ErrorCode.NotEnoughReplicas, KafkaErrors.CodeOf(new HubException(ErrorCode.NotEnoughReplicas, "too few")));
        Assert.Equal(ErrorCode.RequestTimedOut, KafkaErrors.CodeOf(new TimeoutException()));
        Assert.Equal(ErrorCode.UnknownServerError, KafkaErrors.CodeOf(new InvalidOperationException()));
    }

    // Orleans makes these itself (its constructors are internal); the mapping looks only at the type.
    private static OrleansMessageRejectionException Rejection() =>
        (OrleansMessageRejectionException)RuntimeHelpers.GetUninitializedObject(typeof(OrleansMessageRejectionException));
}
