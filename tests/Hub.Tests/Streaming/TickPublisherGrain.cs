using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>Publishes ticks on the stream ("ticks", its own key).</summary>
public interface ITickPublisherGrain : IGrainWithStringKey
{
    /// <summary>Publishes ticks <paramref name="first"/>.. as one batch; returns once Hub stored them.</summary>
    Task Publish(int first, int count);
}

public sealed class TickPublisherGrain : Grain, ITickPublisherGrain
{
    public Task Publish(int first, int count) =>
        this.GetStreamProvider(StreamingClusterConfigurator.Provider)
            .GetStream<Tick>(StreamId.Create(StreamingClusterConfigurator.TicksTopic, this.GetPrimaryKeyString()))
            .OnNextBatchAsync(Enumerable.Range(first, count).Select(n => new Tick(n)));
}
