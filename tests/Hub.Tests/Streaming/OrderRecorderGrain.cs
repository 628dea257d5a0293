using System.Text;
using Hub.Streaming;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>Records every record of its key of the orders topic, written by any client (an implicit subscription).</summary>
public interface IOrderRecorderGrain : IGrainWithStringKey
{
    [AlwaysInterleave]
    Task<List<Received>> Received();
}

[ImplicitStreamSubscription(StreamingSiloConfigurator.OrdersTopic)]
public sealed class OrderRecorderGrain : Grain, IOrderRecorderGrain
{
    private readonly List<Received> _received = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        this.GetStreamProvider(StreamingSiloConfigurator.Provider)
            .GetStream<HubRecord>(StreamId.Create(StreamingSiloConfigurator.OrdersTopic, this.GetPrimaryKeyString()))
            .SubscribeAsync((record, _) =>
            {
                _received.Add(new Received(Encoding.UTF8.GetString(record.Value!), record.Offset));
                return Task.CompletedTask;
            });

    public Task<List<Received>> Received() => Task.FromResult(_received.ToList());
}
