using System.Text;
using Hub.Streaming;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>Subscribes explicitly to a stream of any provider from a position (null: new records), and records its records, when they came, and errors.</summary>
public interface IRewindSubscriberGrain : IGrainWithStringKey
{
    Task SubscribeFrom(string provider, string topic, string streamKey, HubSequenceToken? position);

    [AlwaysInterleave]
    Task<List<Received>> Received();

    [AlwaysInterleave]
    Task<List<DateTime>> ReceivedAt();

    [AlwaysInterleave]
    Task<List<string>> Errors();
}

public sealed class RewindSubscriberGrain : Grain, IRewindSubscriberGrain
{
    private readonly List<Received> _received = [];
    private readonly List<DateTime> _receivedAt = [];
    private readonly List<string> _errors = [];

    public Task SubscribeFrom(string provider, string topic, string streamKey, HubSequenceToken? position) =>
        this.GetStreamProvider(provider).GetStream<HubRecord>(StreamId.Create(topic, streamKey)).SubscribeAsync(
            (record, _) =>
            {
                _received.Add(new Received(Encoding.UTF8.GetString(record.Value!), record.Offset));
                _receivedAt.Add(DateTime.UtcNow);
                return Task.CompletedTask;
            },
            e =>
            {
                _errors.Add($"{e.GetType().Name}: {e.Message}");
                return Task.CompletedTask;
            },
            position);

    public Task<List<Received>> Received() => Task.FromResult(_received.ToList());

    public Task<List<DateTime>> ReceivedAt() => Task.FromResult(_receivedAt.ToList());

    public Task<List<string>> Errors() => Task.FromResult(_errors.ToList());
}
