using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;
using Hub.Client;
using Hub.Errors;
using Hub.Streaming;
using Hub.Streaming.TestHost;
using Hub.Tests.Cluster;
using Orleans.Streams;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Streaming;

/// <summary>The Hub stream provider co-hosted in a Hub silo (TestingHost), with grains subscribing and publishing.</summary>
public sealed class HubStreamProviderTests : IAsyncLifetime
{
    private static readonly string ProviderGroup = $"orleans-streams.{StreamingClusterConfigurator.Provider}";

    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(configurators: [typeof(StreamingClusterConfigurator)]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ImplicitSubscription_ReceivesEveryRecordOfAKafkaProducer_InOrderPerKey()
    {
        string[] keys = ["alice", "bob", "carol", "dave"];
        const int perKey = 100;
        // lz4-compressed, as many Kafka applications write: the pulling agent reads the batches decompressed.
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
               {
                   BootstrapServers = _cluster.KafkaBootstrap, LingerMs = 5, CompressionType = Confluent.Kafka.CompressionType.Lz4,
               }).Build())
        {
            for (var i = 0; i < perKey; i++)
            {
                foreach (var key in keys) producer.Produce(StreamingClusterConfigurator.OrdersTopic, new Message<string, string> { Key = key, Value = $"{key}:{i}" });
            }
            producer.Flush(Bound);
        }
        Assert.Contains(Hub.Batches.CompressionType.Lz4, await StoredCodecsAsync(StreamingClusterConfigurator.OrdersTopic));

        foreach (var key in keys)
        {
            var recorder = _cluster.Grains.GetGrain<IOrderRecorderGrain>(key);
            await WaitUntilAsync(async () => (await recorder.Received()).Count >= perKey, $"{key}'s grain has {perKey} records");
            var received = await recorder.Received();
            Assert.Equal(Enumerable.Range(0, perKey).Select(i => $"{key}:{i}"), received.Select(r => r.Value));
            Assert.True(received.Zip(received.Skip(1)).All(p => p.First.Offset < p.Second.Offset), "offsets ascend");
        }

        // Delivery progress is a consumer group like any other: once everything is delivered, no lag.
        await WaitUntilAsync(async () =>
        {
            var orders = await ProviderProgressAsync(StreamingClusterConfigurator.OrdersTopic);
            return orders.Sum(p => p.LogEndOffset ?? 0) == keys.Length * perKey && orders.All(p => p.Lag == 0);
        }, "the provider's group has committed every orders record");
    }

    [Fact]
    public async Task Subscription_FromAnOffsetOrTheEarliestRecord_ReplaysRecordsNoLongerCached_ThenContinuesLive()
    {
        await _cluster.Grains.GetGrain<ITickPublisherGrain>("a").Publish(0, 50);
        await _cluster.Grains.GetGrain<ITickPublisherGrain>("b").Publish(1000, 30); // another stream of the same topic
        Assert.Equal([Hub.Batches.CompressionType.Zstd], (await StoredCodecsAsync(StreamingClusterConfigurator.TicksTopic)).Distinct());
        // A committed offset means the cache let go of the records before it: what follows must come from Hub.
        await WaitUntilAsync(async () => (await ProviderProgressAsync(StreamingClusterConfigurator.TicksTopic)).Sum(p => p.CommittedOffset ?? 0) == 80,
            "the provider committed all 80 ticks");

        var fromStart = _cluster.Grains.GetGrain<ITickSubscriberGrain>("from-start");
        await fromStart.SubscribeFrom("a", HubSequenceToken.Earliest);
        await WaitUntilAsync(async () => (await fromStart.Received()).Count >= 50, "50 ticks replayed from the earliest record");
        var all = await fromStart.Received();
        Assert.Equal(Enumerable.Range(0, 50).Select(n => $"{n}"), all.Select(r => r.Value));

        // Orleans' own "earliest available" reaches back as far as Hub retains, not only as far as the cache.
        var earliest = _cluster.Grains.GetGrain<ITickSubscriberGrain>("earliest-available");
        await earliest.SubscribeFrom("a", StreamSubscriptionStartPosition.EarliestAvailable);
        await WaitUntilAsync(async () => (await earliest.Received()).Count >= 50, "50 ticks replayed from the earliest available record");
        Assert.Equal(all, await earliest.Received());

        var from20 = _cluster.Grains.GetGrain<ITickSubscriberGrain>("from-20");
        await from20.SubscribeFrom("a", HubSequenceToken.AtOffset(all[20].Offset));
        await WaitUntilAsync(async () => (await from20.Received()).Count >= 30, "30 ticks replayed from tick 20's offset");
        Assert.Equal(Enumerable.Range(20, 30).Select(n => $"{n}"), (await from20.Received()).Select(r => r.Value));

        // New events reach both through the cache, each once.
        await _cluster.Grains.GetGrain<ITickPublisherGrain>("a").Publish(50, 10);
        await WaitUntilAsync(async () => (await fromStart.Received()).Count >= 60 && (await from20.Received()).Count >= 40, "both have the 10 new ticks");
        Assert.Equal(Enumerable.Range(0, 60).Select(n => $"{n}"), (await fromStart.Received()).Select(r => r.Value));
        Assert.Equal(Enumerable.Range(20, 40).Select(n => $"{n}"), (await from20.Received()).Select(r => r.Value));
    }

    [Fact]
    public async Task OrleansClient_PublishesThroughTheProvider_AGrainReceivesInOrder()
    {
        var stream = _cluster.OrleansClient.GetStreamProvider(StreamingClusterConfigurator.Provider)
            .GetStream<Tick>(StreamId.Create(StreamingClusterConfigurator.TicksTopic, "from-client"));
        await stream.OnNextBatchAsync(Enumerable.Range(0, 10).Select(n => new Tick(n)));
        await stream.OnNextAsync(new Tick(10));

        var subscriber = _cluster.Grains.GetGrain<ITickSubscriberGrain>("client-reader");
        await subscriber.SubscribeFrom("from-client", HubSequenceToken.Earliest);
        List<Received> received = [];
        try
        {
            await WaitUntilAsync(async () => (received = await subscriber.Received()).Count >= 11, "the grain has the client's 11 ticks");
        }
        catch (Xunit.Sdk.FailException e)
        {
            throw new TimeoutException($"{e.Message}; it has {string.Join(", ", received.Select(r => $"{r.Value}@{r.Offset}"))}", e);
        }
        Assert.Equal(Enumerable.Range(0, 11).Select(n => $"{n}"), received.Select(r => r.Value));
    }

    [Fact]
    public async Task CounterGrain_DeactivatedOrRestarted_ContinuesFromItsPosition_ApplyingEachRecordOnce()
    {
        await ProduceNumbersAsync(_cluster.Client, "c1", 1, 100);
        var counter = _cluster.Grains.GetGrain<ICounterGrain>("c1");
        await WaitUntilAsync(async () => (await counter.Get()).Count >= 100, "the counter applied 100 records");

        await counter.Deactivate();
        await ProduceNumbersAsync(_cluster.Client, "c1", 101, 100);
        await WaitUntilAsync(async () => (await counter.Get()).Count >= 200, "the reactivated counter applied 200 records");
        Assert.Equal(SumOf(1, 200), (await counter.Get()).Sum);

        // A restarted silo reads on from the group's committed offset; what it delivers again is skipped.
        _cluster = await _cluster.RestartAsync();
        await ProduceNumbersAsync(_cluster.Client, "c1", 201, 50);
        counter = _cluster.Grains.GetGrain<ICounterGrain>("c1");
        await WaitUntilAsync(async () => (await counter.Get()).Count >= 250, "the counter applied 250 records after the restart");
        var final = await counter.Get();
        Assert.Equal(250, final.Count);
        Assert.Equal(SumOf(1, 250), final.Sum);
    }

    [Fact]
    public async Task SlowSubscriber_BoundsWhatIsReadAhead_AndLosesNothing()
    {
        const int count = 1500;
        long read = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HubStreamMetrics.MeterName && instrument.Name == "hub.streams.records_read") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "topic", Value: StreamingClusterConfigurator.SlowTopic }) Interlocked.Add(ref read, value);
            }
        });
        listener.Start();

        await using (var producer = _cluster.Client.CreateProducer())
        {
            for (var i = 0; i < count; i++)
                producer.Produce(StreamingClusterConfigurator.SlowTopic, new ProducerRecord { Key = "s"u8.ToArray(), Value = Encoding.UTF8.GetBytes($"{i}") });
            await producer.FlushAsync();
        }

        // Records in the cache plus those read ahead of it, plus one in hand between the two.
        const int bound = StreamingClusterConfigurator.SlowCacheSize + StreamingClusterConfigurator.SlowReadAhead + 1;
        var subscriber = _cluster.Grains.GetGrain<ISlowSubscriberGrain>("s");
        var maxAhead = 0L;
        await WaitUntilAsync(async () =>
        {
            var readBefore = Interlocked.Read(ref read);
            var received = (await subscriber.Received()).Count;
            maxAhead = Math.Max(maxAhead, readBefore - received);
            Assert.True(readBefore - received <= bound, $"read {readBefore} records while the subscriber had {received}: more than {bound} ahead");
            return received >= count;
        }, $"the slow subscriber has all {count} records", TimeSpan.FromSeconds(90));

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{i}"), (await subscriber.Received()).Select(r => r.Value));
        // The bound was reached: the cache really filled up and reading paused.
        Assert.True(maxAhead >= StreamingClusterConfigurator.SlowCacheSize, $"reads ran at most {maxAhead} ahead: the subscriber was never slow enough to test back-pressure");
    }

    /// <summary>The provider group's committed offsets and lag for the topic's partitions (none before its first commit).</summary>
    private async Task<List<GroupPartitionLag>> ProviderProgressAsync(string topic)
    {
        try
        {
            var group = await _cluster.Client.Admin.DescribeGroupAsync(ProviderGroup);
            return [.. group.Partitions.Where(p => p.Topic == topic)];
        }
        catch (HubException e) when (e.Code == ErrorCode.GroupIdNotFound)
        {
            return [];
        }
    }

    /// <summary>The codecs of the batches stored in every partition of the topic.</summary>
    private async Task<List<Hub.Batches.CompressionType>> StoredCodecsAsync(string topic)
    {
        var codecs = new List<Hub.Batches.CompressionType>();
        for (var partition = 0; partition < StreamingClusterConfigurator.Partitions; partition++)
            codecs.AddRange((await _cluster.StoredBatchesAsync(topic, partition)).Select(h => h.Compression));
        return codecs;
    }

    internal static async Task ProduceNumbersAsync(HubClient client, string key, int first, int count)
    {
        // gzip-compressed: ExactlyOnceConsumer's grains read them decompressed.
        await using var producer = client.CreateProducer(new ProducerOptions { CompressionType = Hub.Batches.CompressionType.Gzip });
        for (var n = first; n < first + count; n++)
            producer.Produce(CounterApp.Topic, new ProducerRecord { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes($"{n}") });
        await producer.FlushAsync();
    }

    internal static long SumOf(int first, int last) => (long)(first + last) * (last - first + 1) / 2;
}
