using System.Text;
using Hub.Client;
using Hub.Client.Partitioning;
using Hub.Streaming;
using Hub.Tests.Cluster;
using Hub.Tests.Log;
using Orleans.Streams;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Streaming;

/// <summary>
/// Transaction markers in a partition's log (written into a stopped silo's log, see <see cref="ControlBatches"/>),
/// each carrying a record of the stream's own key, reach no grain subscriber: neither through the pulling agent
/// (the SDK consumer underneath) nor through a rewind that reads the partition itself (StreamReplay).
/// </summary>
public sealed class ControlBatchStreamTests : IAsyncLifetime
{
    private const string Key = "alice";
    private static readonly string ProviderGroup = $"orleans-streams.{StreamingClusterConfigurator.Provider}";

    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(configurators: [typeof(StreamingClusterConfigurator)]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Grain_subscribers_never_receive_a_control_batchs_record()
    {
        var partition = KeyPartitioner.PartitionFor(Encoding.UTF8.GetBytes(Key), StreamingClusterConfigurator.Partitions);
        await ProduceAsync("a");
        await WaitUntilAsync(async () => (await Recorder.Received()).Count == 1, "the implicit subscriber has a");
        // Committed: after the restart the pulling agent's cache starts past "a", so a rewind to it reads the partition.
        await WaitUntilAsync(async () => await CommittedAsync(partition) == 1, "the provider committed offset 1");

        _cluster = await _cluster.RestartAsync(data =>
            Assert.Equal([1L, 2], ControlBatches.AppendMarkers(data, StreamingClusterConfigurator.OrdersTopic, partition, Encoding.UTF8.GetBytes(Key))));
        await ProduceAsync("c");

        await WaitUntilAsync(async () => (await Recorder.Received()).Any(r => r.Value == "c"), "the implicit subscriber has c");
        Assert.Equal([new Received("c", 3)], await Recorder.Received());

        var rewound = _cluster.Grains.GetGrain<IEarliestOrderSubscriberGrain>("rewound");
        await rewound.Subscribe(Key);
        await WaitUntilAsync(async () => (await rewound.Received()).Count >= 2, "the rewound subscriber has a and c");
        Assert.Equal([new Received("a", 0), new Received("c", 3)], await rewound.Received());
    }

    private IOrderRecorderGrain Recorder => _cluster.Grains.GetGrain<IOrderRecorderGrain>(Key);

    private async Task ProduceAsync(string value)
    {
        await using var producer = _cluster.Client.CreateProducer(new ProducerOptions { LingerMs = 1 });
        await producer.ProduceAsync(StreamingClusterConfigurator.OrdersTopic,
            new ProducerRecord { Key = Encoding.UTF8.GetBytes(Key), Value = Encoding.UTF8.GetBytes(value) });
    }

    private async Task<long?> CommittedAsync(int partition)
    {
        try
        {
            var group = await _cluster.Client.Admin.DescribeGroupAsync(ProviderGroup);
            return group.Partitions.SingleOrDefault(p => p.Topic == StreamingClusterConfigurator.OrdersTopic && p.Partition == partition)?.CommittedOffset;
        }
        catch (Hub.Errors.HubException e) when (e.Code == Hub.Errors.ErrorCode.GroupIdNotFound)
        {
            return null;
        }
    }
}

/// <summary>Subscribes explicitly to an orders stream from the earliest record Hub retains and records what arrives.</summary>
public interface IEarliestOrderSubscriberGrain : IGrainWithStringKey
{
    Task Subscribe(string streamKey);

    [Orleans.Concurrency.AlwaysInterleave]
    Task<List<Received>> Received();
}

public sealed class EarliestOrderSubscriberGrain : Grain, IEarliestOrderSubscriberGrain
{
    private readonly List<Received> _received = [];

    public Task Subscribe(string streamKey) =>
        this.GetStreamProvider(StreamingClusterConfigurator.Provider)
            .GetStream<HubRecord>(StreamId.Create(StreamingClusterConfigurator.OrdersTopic, streamKey))
            .SubscribeAsync((record, _) =>
            {
                _received.Add(new Received(Encoding.UTF8.GetString(record.Value!), record.Offset));
                return Task.CompletedTask;
            }, HubSequenceToken.Earliest);

    public Task<List<Received>> Received() => Task.FromResult(_received.ToList());
}
