using System.Text;
using Hub.Streaming;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>Takes <see cref="Delay"/> over every record of its key of the slow topic (an implicit subscription).</summary>
public interface ISlowSubscriberGrain : IGrainWithStringKey
{
    [AlwaysInterleave]
    Task<List<Received>> Received();
}

[ImplicitStreamSubscription(StreamingSiloConfigurator.SlowTopic)]
public sealed class SlowSubscriberGrain : Grain, ISlowSubscriberGrain
{
    /// <summary>Work per record: slower than Hub delivers, so the cache fills up.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(2);

    private readonly List<Received> _received = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        this.GetStreamProvider(StreamingSiloConfigurator.SlowProvider)
            .GetStream<HubRecord>(StreamId.Create(StreamingSiloConfigurator.SlowTopic, this.GetPrimaryKeyString()))
            .SubscribeAsync(async (record, _) =>
            {
                await Task.Delay(Delay);
                _received.Add(new Received(Encoding.UTF8.GetString(record.Value!), record.Offset));
            });

    public Task<List<Received>> Received() => Task.FromResult(_received.ToList());
}
