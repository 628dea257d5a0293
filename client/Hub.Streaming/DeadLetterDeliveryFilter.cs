using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Dead-letters events a grain subscriber of one Hub stream provider keeps failing on. It sits on the subscriber's
/// side of Orleans' delivery call (the pulling agent's <c>DeliverBatch</c> to the grain's stream extension), where
/// the subscriber's exception and the subscription are known. A failed delivery is thrown back to the agent, which
/// retries it after the policy's backoff (<see cref="DeadLetterBackoff"/>) and delivers nothing later of that
/// subscription meanwhile; the policy's last failed attempt instead writes the dead letter, awaits Hub's acks=all,
/// and then completes the delivery with an empty stand-in (<see cref="DeadLetteredBatch"/>) so the subscription
/// and the agent both move past the event. The event's offset is committed only after that (the agent's cache
/// lets go of it only then), so a crash before the dead letter is stored delivers the event again.
/// </summary>
internal sealed partial class DeadLetterDeliveryFilter(string providerName, HubStreamDeadLetters deadLetters, ILogger<DeadLetterDeliveryFilter> logger)
    : IIncomingGrainCallFilter
{
    // Orleans' internal contract: DeliverBatch(GuidId subscriptionId, QualifiedStreamId streamId, IBatchContainer batch, StreamHandshakeToken handshake).
    private const string ConsumerExtension = "Orleans.Streams.IStreamConsumerExtension";
    private const string DeliverBatch = "DeliverBatch";
    private const int SubscriptionArgument = 0;
    private const int StreamArgument = 1;
    private const int BatchArgument = 2;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!IsDelivery(context, out var subscription, out var streamId, out var batch))
        {
            await context.Invoke();
            return;
        }
        var attempts = context.TargetContext.GetComponent<DeliveryAttempts>();
        try
        {
            await context.Invoke();
            attempts?.Settled(subscription);
            return;
        }
        catch (Exception e)
        {
            if (attempts is null) context.TargetContext.SetComponent(attempts = new DeliveryAttempts());
            var failures = attempts.Failed(subscription, batch.Token.Offset);
            var topic = streamId.GetNamespace()!;
            if (deadLetters.Policy.ShouldRetry(failures))
            {
                LogAttemptFailed(e, topic, batch.Token.Partition, batch.Token.Offset, context.TargetId, failures, deadLetters.Policy.MaxAttempts);
                throw;
            }
            await deadLetters.WriteAsync(topic, batch.Token.Partition, batch.Token.Offset, failures, e, context.TargetId.ToString());
            LogDeadLettered(e, topic, batch.Token.Partition, batch.Token.Offset, context.TargetId, failures, deadLetters.Policy.TopicFor(topic));
        }
        context.Request.SetArgument(BatchArgument, new DeadLetteredBatch(batch.StreamId, batch.Token));
        await context.Invoke();
        attempts.Settled(subscription);
    }

    private bool IsDelivery(IIncomingGrainCallContext context, out Guid subscription, out StreamId streamId, out HubBatchContainer batch)
    {
        subscription = default;
        streamId = default;
        batch = null!;
        if (context.MethodName != DeliverBatch || context.InterfaceMethod?.DeclaringType?.FullName != ConsumerExtension) return false;
        if (context.Request.GetArgument(StreamArgument) is not QualifiedStreamId qualified || qualified.ProviderName != providerName) return false;
        if (context.Request.GetArgument(BatchArgument) is not HubBatchContainer container) return false;
        subscription = ((GuidId)context.Request.GetArgument(SubscriptionArgument)!).Guid;
        streamId = qualified.StreamId;
        batch = container;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Subscriber {Grain} failed on {Topic}/{Partition}@{Offset} (attempt {Attempt} of {MaxAttempts}); the pulling agent retries it after a backoff")]
    private partial void LogAttemptFailed(Exception exception, string topic, int partition, long offset, GrainId grain, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Subscriber {Grain} failed on {Topic}/{Partition}@{Offset} {Attempts} times; the event is in dead-letter topic {DeadLetterTopic} and delivery goes on")]
    private partial void LogDeadLettered(Exception exception, string topic, int partition, long offset, GrainId grain, int attempts, string deadLetterTopic);
}
