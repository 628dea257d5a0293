using Hub.Streaming;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>Subscribes explicitly to a ticks stream from a given position and records what arrives.</summary>
public interface ITickSubscriberGrain : IGrainWithStringKey
{
    Task SubscribeFrom(string streamKey, HubSequenceToken position);

    /// <summary>Subscribes with Orleans' own start position instead of a token.</summary>
    Task SubscribeFrom(string streamKey, StreamSubscriptionStartPosition position);

    [AlwaysInterleave]
    Task<List<Received>> Received();
}

public sealed class TickSubscriberGrain : Grain, ITickSubscriberGrain
{
    private readonly List<Received> _received = [];

    public Task SubscribeFrom(string streamKey, HubSequenceToken position) => Stream(streamKey).SubscribeAsync(Record, position);

    public Task SubscribeFrom(string streamKey, StreamSubscriptionStartPosition position) =>
        Stream(streamKey).SubscribeAsync(new Observer(this), position);

    private IAsyncStream<Tick> Stream(string streamKey) =>
        this.GetStreamProvider(StreamingClusterConfigurator.Provider).GetStream<Tick>(StreamId.Create(StreamingClusterConfigurator.TicksTopic, streamKey));

    private Task Record(Tick tick, StreamSequenceToken? token)
    {
        _received.Add(new Received($"{tick.Number}", ((HubSequenceToken)token!).Offset));
        return Task.CompletedTask;
    }

    private sealed class Observer(TickSubscriberGrain grain) : IAsyncObserver<Tick>
    {
        public Task OnNextAsync(Tick item, StreamSequenceToken? token = null) => grain.Record(item, token);

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }

    public Task<List<Received>> Received() => Task.FromResult(_received.ToList());
}
