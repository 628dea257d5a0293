using System.Collections.Concurrent;
using System.Text;
using Hub.Streaming;
using Orleans.Streams;

namespace Hub.Tests.DeadLetters;

public interface IPoisonSubscriberGrain : IGrainWithStringKey;

/// <summary>
/// Subscribes to its key of the poison topic and throws on every event whose value is "poison"; logs each event it
/// handled and each attempt it failed, in one process-wide sequence (the test cluster's silo runs in the test process),
/// so a test sees how the streams' deliveries interleaved.
/// </summary>
[ImplicitStreamSubscription(DeadLetterClusterConfigurator.Topic)]
public sealed class PoisonSubscriberGrain : Grain, IPoisonSubscriberGrain
{
    public const string Poison = "poison";

    /// <summary>"key:value" for each handled event, "key:poison#n" for the n-th failed attempt.</summary>
    public static ConcurrentQueue<string> Log { get; } = new();

    private int _failures;

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        this.GetStreamProvider(DeadLetterClusterConfigurator.Provider)
            .GetStream<HubRecord>(StreamId.Create(DeadLetterClusterConfigurator.Topic, this.GetPrimaryKeyString()))
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
