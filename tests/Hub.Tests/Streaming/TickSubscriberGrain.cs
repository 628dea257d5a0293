using Hub.Streaming;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>Subscribes explicitly to a ticks stream from a given position and records what arrives.</summary>
public interface ITickSubscriberGrain : IGrainWithStringKey
{
    Task SubscribeFrom(string streamKey, HubSequenceToken position);

    [AlwaysInterleave]
    Task<List<Received>> Received();
}

public sealed class TickSubscriberGrain : Grain, ITickSubscriberGrain
{
    private readonly List<Received> _received = [];

    public async Task SubscribeFrom(string streamKey, HubSequenceToken position)
    {
        var stream = this.GetStreamProvider(StreamingSiloConfigurator.Provider)
            .GetStream<Tick>(StreamId.Create(StreamingSiloConfigurator.TicksTopic, streamKey));
        await stream.SubscribeAsync((tick, token) =>
        {
            _received.Add(new Received($"{tick.Number}", ((HubSequenceToken)token!).Offset));
            return Task.CompletedTask;
        }, position);
    }

    public Task<List<Received>> Received() => Task.FromResult(_received.ToList());
}
