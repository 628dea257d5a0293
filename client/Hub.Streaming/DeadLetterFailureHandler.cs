using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// The pulling agent's failure handler when the provider has a dead-letter policy: the last resort for an event
/// the agent gives up on after <c>MaxEventDeliveryTime</c> (every attempt timing out, or the dead letter itself
/// failing to be written for that long), which the agent would otherwise skip silently. It dead-letters the event
/// from its token; the attempts are unknown there, so that header is left out. The subscription is not faulted.
/// </summary>
internal sealed partial class DeadLetterFailureHandler(HubStreamDeadLetters deadLetters, ILogger<DeadLetterFailureHandler> logger) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public async Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        var topic = streamIdentity.GetNamespace()!;
        if (sequenceToken is not HubSequenceToken token) return;
        var error = new TimeoutException($"the pulling agent of provider '{streamProviderName}' gave up delivering the event after its MaxEventDeliveryTime");
        try
        {
            await deadLetters.WriteAsync(topic, token.Partition, token.Offset, attempts: null, error, subscriptionId.ToString());
            LogDeadLettered(topic, token.Partition, token.Offset, subscriptionId.Guid);
        }
        catch (Exception e)
        {
            // The agent skips the event whatever happens here; say so loudly.
            LogLost(e, topic, token.Partition, token.Offset, subscriptionId.Guid);
            throw;
        }
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken) =>
        Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error,
        Message = "The pulling agent gave up on {Topic}/{Partition}@{Offset} for subscription {Subscription}; it is in the dead-letter topic")]
    private partial void LogDeadLettered(string topic, int partition, long offset, Guid subscription);

    [LoggerMessage(Level = LogLevel.Critical,
        Message = "The pulling agent gave up on {Topic}/{Partition}@{Offset} for subscription {Subscription} and it could not be dead-lettered: it is skipped")]
    private partial void LogLost(Exception exception, string topic, int partition, long offset, Guid subscription);
}
