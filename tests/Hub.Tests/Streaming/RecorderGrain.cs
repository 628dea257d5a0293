using System.Text;
using Hub.Streaming;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>A grain that records every record of its key of one topic (its stream), whoever wrote it.</summary>
public interface IRecorderGrain : IGrainWithStringKey
{
    [AlwaysInterleave]
    Task<List<Received>> Received();
}

/// <summary>Subscribes on activation (implicit subscriptions) and takes <paramref name="workPerRecord"/> over each record.</summary>
public abstract class RecorderGrain(string provider, string topic, TimeSpan workPerRecord) : Grain, IRecorderGrain
{
    private readonly List<Received> _received = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        this.GetStreamProvider(provider)
            .GetStream<HubRecord>(StreamId.Create(topic, this.GetPrimaryKeyString()))
            .SubscribeAsync(async (record, _) =>
            {
                if (workPerRecord > TimeSpan.Zero) await Task.Delay(workPerRecord);
                _received.Add(new Received(Encoding.UTF8.GetString(record.Value!), record.Offset));
            });

    public Task<List<Received>> Received() => Task.FromResult(_received.ToList());
}
