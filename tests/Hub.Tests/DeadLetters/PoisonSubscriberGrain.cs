using System.Collections.Concurrent;
using System.Text;
using Hub.Streaming;
using Orleans.Streams;

namespace Hub.Tests.DeadLetters;

public interface IPoisonSubscriberGrain : IGrainWithStringKey;

/// <summary>
/// Subscribes to its key of a topic and throws on every event whose value is "poison"; logs each event it
/// handled and each attempt it failed, in one process-wide sequence (the test cluster's silo runs in the test process),
/// so a test sees how the streams' deliveries interleaved.
/// </summary>
public abstract class PoisonSubscriberGrain(string provider, string topic) : Grain, IPoisonSubscriberGrain
{
    public const string Poison = "poison";

    /// <summary>"key:value" for each handled event, "key:poison#n" for the n-th failed attempt.</summary>
    public static ConcurrentQueue<string> Log { get; } = new();

    private int _failures;

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        this.GetStreamProvider(provider)
            .GetStream<HubRecord>(StreamId.Create(topic, this.GetPrimaryKeyString()))
            .SubscribeAsync((record, _) =>
            {
                var value = Encoding.UTF8.GetString(record.Value!);
                if (value == Poison)
                {
                    Log.Enqueue($"{this.GetPrimaryKeyString()}:{Poison}#{++_failures}");
                    throw new InvalidOperationException($"cannot handle offset {record.Offset}");
                }
                Log.Enqueue($"{this.GetPrimaryKeyString()}:{value}");
                return Task.CompletedTask;
            });
}

/// <summary>On the provider whose policy dead-letters after a few attempts.</summary>
[ImplicitStreamSubscription(DeadLetterClusterConfigurator.Topic)]
public sealed class RetryingPoisonSubscriberGrain()
    : PoisonSubscriberGrain(DeadLetterClusterConfigurator.Provider, DeadLetterClusterConfigurator.Topic);

/// <summary>On the provider whose pulling agent gives up before the policy's attempts are over.</summary>
[ImplicitStreamSubscription(DeadLetterClusterConfigurator.GivingUpTopic)]
public sealed class GivenUpPoisonSubscriberGrain()
    : PoisonSubscriberGrain(DeadLetterClusterConfigurator.GivingUpProvider, DeadLetterClusterConfigurator.GivingUpTopic);
