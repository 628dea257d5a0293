using System.Buffers.Text;
using Orleans.Runtime;

namespace Hub.Streaming.TestHost;

[ImplicitStreamSubscription(CounterApp.Topic)]
public sealed class CounterGrain([PersistentState("counter", CounterApp.Storage)] IPersistentState<CheckpointedState<Counter>> state,
    IServiceProvider services) : Grain, ICounterGrain
{
    private readonly ExactlyOnceConsumer<Counter> _counter = new(state, services);

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        _counter.SubscribeAsync(this.GetStreamProvider(CounterApp.StreamProvider).GetStream<HubRecord>(StreamId.Create(CounterApp.Topic, this.GetPrimaryKeyString())),
            static (counter, record) =>
            {
                if (!Utf8Parser.TryParse(record.Value, out long number, out _))
                    throw new FormatException($"record {record.Partition}@{record.Offset} of {record.Topic} is not a number");
                counter.Sum += number;
                counter.Count++;
            });

    public Task<Counter> Get() => Task.FromResult(_counter.State);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
