using System.Text;
using System.Text.RegularExpressions;
using Hub.Client;
using Hub.Client.Partitioning;
using Hub.Batches;
using Hub.Grains;
using Hub.Partitions;
using Hub.Streaming;
using Hub.Streaming.TestHost;
using Hub.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Streams;
using Xunit.Abstractions;
using static Hub.Tests.Groups.GroupTesting;
using static Hub.Tests.Streaming.HubStreamProviderTests;

namespace Hub.Tests.Streaming;

/// <summary>
/// The stream provider as a topic's layout changes under it: partitions added while grains consume, and rewinds
/// to offsets retention already deleted. Co-hosted in one Hub silo (TestingHost) that checks retention every 100 ms.
/// </summary>
public sealed class HubStreamTopologyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(retentionCheck: TimeSpan.FromMilliseconds(100),
        configurators: [typeof(StreamingClusterConfigurator)]);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task PartitionsAddedWhileGrainsConsume_AreRead_WithoutARestart()
    {
        const int before = StreamingClusterConfigurator.Partitions, after = 8, perKey = 20;
        const string topic = StreamingClusterConfigurator.GrowingTopic;
        // Keys whose partition changes with the count, most of them to a partition that did not exist before.
        var keys = Enumerable.Range(0, 200).Select(i => $"key-{i}").Where(k => PartitionOf(k, after) >= before).Take(6).ToList();

        await using (var producer = _cluster.Client.CreateProducer()) await ProduceAsync(producer, topic, keys, 0, perKey);
        foreach (var key in keys)
            await WaitUntilAsync(async () => (await Recorder(key).Received()).Count >= perKey, $"{key}'s grain has its first {perKey} records");

        await _cluster.Client.Admin.AddPartitionsAsync(topic, after);
        // A new producer, which maps keys by the new count at once (a running one does on its next metadata refresh).
        await using (var producer = _cluster.Client.CreateProducer()) await ProduceAsync(producer, topic, keys, perKey, perKey);
        var stored = new List<int>();
        for (var partition = before; partition < after; partition++)
            stored.Add((await _cluster.StoredBatchesAsync(topic, partition)).Count);
        Assert.True(stored.Sum() > 0, "the producer wrote to the new partitions");

        foreach (var key in keys)
        {
            await WaitUntilAsync(async () => (await Recorder(key).Received()).Count >= 2 * perKey, $"{key}'s grain has the records from partition {PartitionOf(key, after)}");
            Assert.Equal(Enumerable.Range(0, 2 * perKey).Select(i => $"{key}:{i}"), (await Recorder(key).Received()).Select(r => r.Value));
        }
    }

    [Fact]
    public async Task ExactlyOnceCounters_StayExact_WhenTheTopicGainsPartitionsWhileTheyApply()
    {
        // Counters of keys that move to another partition, and of keys that stay.
        var keys = Enumerable.Range(0, 100).Select(i => $"c{i}").Where(k => PartitionOf(k, 2) != PartitionOf(k, 5)).Take(4)
            .Concat(Enumerable.Range(0, 100).Select(i => $"c{i}").Where(k => PartitionOf(k, 2) == PartitionOf(k, 5)).Take(2)).ToList();
        foreach (var key in keys) await ProduceNumbersAsync(_cluster.Client, key, 1, 200);
        // Added while the grains are still applying the first 200: the old partitions' rest and the new ones' first
        // records reach the same grains in any interleaving.
        await _cluster.Client.Admin.AddPartitionsAsync(CounterApp.Topic, 5);
        foreach (var key in keys) await ProduceNumbersAsync(_cluster.Client, key, 201, 200);
        await ProduceNumbersAsync(_cluster.Client, keys[0], 401, 100); // once the provider reads the new partitions for sure

        foreach (var key in keys)
        {
            var counter = _cluster.Grains.GetGrain<ICounterGrain>(key);
            var total = key == keys[0] ? 500 : 400;
            // The provider finds the added partitions at its periodic partition check; a loaded machine (CI) took over 20 s.
            await WaitUntilAsync(async () => (await counter.Get()).Count >= total, $"{key}'s counter applied {total} records", TimeSpan.FromSeconds(60));
            var final = await counter.Get();
            Assert.Equal(total, final.Count);
            Assert.Equal(SumOf(1, total), final.Sum);
        }

        // A counter deactivated after the move resumes exactly, its positions in both partitions stored.
        var moved = _cluster.Grains.GetGrain<ICounterGrain>(keys[1]);
        await moved.Deactivate();
        await ProduceNumbersAsync(_cluster.Client, keys[1], 401, 50);
        await WaitUntilAsync(async () => (await moved.Get()).Count >= 450, "the reactivated counter applied 450 records");
        Assert.Equal(SumOf(1, 450), (await moved.Get()).Sum);
    }

    [Fact]
    public async Task ExactlyOnceCounter_StateStoredBeforePositionsWerePerPartition_LoadsAndResumesExactly()
    {
        const string key = "legacy";
        var counter = _cluster.Grains.GetGrain<ICounterGrain>(key);
        // What an earlier version stored after applying 1..50: one offset per stream. No other key is written to
        // the topic in this test, so the 50th number lands at offset 49.
        var storage = _cluster.SiloServices.GetRequiredKeyedService<IGrainStorage>(CounterApp.Storage);
        var legacy = new CheckpointedState<Counter> { State = new Counter { Sum = SumOf(1, 50), Count = 50 } };
        legacy.LastApplied[$"{CounterApp.Topic}/{key}"] = 49;
        await storage.WriteStateAsync("counter", counter.GetGrainId(), new GrainState<CheckpointedState<Counter>>(legacy));

        await ProduceNumbersAsync(_cluster.Client, key, 1, 100);
        await WaitUntilAsync(async () => (await counter.Get()).Count >= 100, "the counter applied 100 records");
        var final = await counter.Get();
        Assert.Equal(100, final.Count);
        Assert.Equal(SumOf(1, 100), final.Sum);

        // Stored in the new shape on the next write, under the partition the key maps to.
        var stored = new GrainState<CheckpointedState<Counter>>(new CheckpointedState<Counter>());
        await storage.ReadStateAsync("counter", counter.GetGrainId(), stored);
        Assert.Empty(stored.State.LastApplied);
        Assert.Equal(new Dictionary<int, long> { [PartitionOf(key, 2)] = 99 }, stored.State.Applied[$"{CounterApp.Topic}/{key}"]);
    }

    [Theory]
    [InlineData(RewindBelowLogStart.FromEarliest)]
    [InlineData(RewindBelowLogStart.Fail)]
    public async Task RewindBelowTheLogStart_DeliversFromTheEarliestRetainedRecord_AfterTellingTheSubscriber_IfItShouldFail(RewindBelowLogStart mode)
    {
        var (provider, topic) = mode == RewindBelowLogStart.Fail
            ? (StreamingClusterConfigurator.RewindFailProvider, StreamingClusterConfigurator.RewindFailTopic)
            : (StreamingClusterConfigurator.RewindEarliestProvider, StreamingClusterConfigurator.RewindEarliestTopic);
        await WriteThenLoseTheOldestAsync(topic, provider);

        var subscriber = _cluster.Grains.GetGrain<IRewindSubscriberGrain>($"{mode}");
        await subscriber.SubscribeFrom(provider, topic, "r", HubSequenceToken.AtOffset(0));
        await WaitUntilAsync(async () => (await subscriber.Received()).Any(r => r.Value == $"{Written - 1}"), "the retained records arrive");
        // Retention may go on deleting while the test runs: the replay starts wherever the log starts then.
        var received = (await subscriber.Received()).Select(r => r.Value).ToList();
        var earliest = int.Parse(received[0]);
        Assert.True(earliest > 0, "the rewind began below the log start");
        Assert.Equal(Enumerable.Range(earliest, Written - earliest).Select(i => $"{i}"), received);

        var errors = await subscriber.Errors();
        if (mode == RewindBelowLogStart.FromEarliest)
        {
            Assert.Empty(errors);
            return;
        }
        // Told once, with the requested and the earliest offsets, before the records.
        var error = Assert.Single(errors);
        Assert.StartsWith(nameof(HubRewindOutOfRangeException), error);
        var told = Regex.Match(error, $@"rewind of {topic}/0 to offset 0 is below the log start (\d+):");
        Assert.True(told.Success, error);
        Assert.InRange(long.Parse(told.Groups[1].Value), 1, earliest);
    }

    [Fact]
    public async Task ARewindThroughALongStretchOfOtherKeys_HandsTheAgentBackItsTurnAfterEachFetch()
    {
        const string topic = StreamingClusterConfigurator.RewindEarliestTopic;
        await WriteRewoundAmidBulkAsync(topic);
        var options = new HubStreamOptions { Topics = [topic] };
        var connection = new HubStreamConnection("cursor-test", options, _cluster.Client,
            new HubEventCodec(_cluster.SiloServices.GetRequiredService<Serializer>(), options.Topics, options.UnkeyedStreamKey));
        var cache = new HubQueueCache(connection, topic, 0, options.CacheSize, _ => 0, NullLogger.Instance);

        // What the pulling agent does on its turn: move the cursor, deliver what it got, move again.
        using var cursor = cache.GetCacheCursor(StreamId.Create(topic, "rewound"), HubSequenceToken.AtOffset(0));
        var handedOut = new List<IBatchContainer>();
#pragma warning disable CS0618 // MoveNext: what MoveNextWithResult calls
        while (cursor.MoveNext()) handedOut.Add(cursor.GetCurrent(out _)!);
#pragma warning restore CS0618

        Assert.Equal(["first", "last"], handedOut.OfType<HubBatchContainer>().Select(c => Encoding.UTF8.GetString(((HubRecord)c.Event).Value!)));
        // 24 MiB of another key lie between them: the cursor gives the turn back after each 1 MiB fetch.
        var progress = handedOut.OfType<HubReplayProgress>().ToList();
        Assert.True(progress.Count >= 20, $"{progress.Count} progress marks in a 24 MiB rewind");
        Assert.True(handedOut.Zip(handedOut.Skip(1)).All(p => p.First.SequenceToken.CompareTo(p.Second.SequenceToken) < 0), "positions ascend");
    }

    [Fact]
    public async Task ARewindThroughALongStretchOfOtherKeys_DeliversItsRecords_WhileTheQueuesOtherStreamsGoOn()
    {
        const string topic = StreamingClusterConfigurator.RewindEarliestTopic, provider = StreamingClusterConfigurator.RewindEarliestProvider;
        await WriteRewoundAmidBulkAsync(topic);
        await WaitUntilCommittedAsync(topic, provider, Bulk + 2);

        var live = _cluster.Grains.GetGrain<IRewindSubscriberGrain>("live");
        await live.SubscribeFrom(provider, topic, "live", null);
        var rewound = _cluster.Grains.GetGrain<IRewindSubscriberGrain>("rewound");
        var sent = 0;
        await using (var producer = _cluster.Client.CreateProducer(new ProducerOptions { LingerMs = 0 }))
        {
            await producer.ProduceAsync(topic, new ProducerRecord { Key = "live"u8.ToArray(), Value = Encoding.UTF8.GetBytes($"{sent++}") });
            await WaitUntilAsync(async () => (await live.Received()).Count >= 1, "the live subscriber receives");
            await rewound.SubscribeFrom(provider, topic, "rewound", HubSequenceToken.AtOffset(0));
            // Live records keep coming while the rewind reads through the bulk.
            await WaitUntilAsync(async () =>
            {
                await producer.ProduceAsync(topic, new ProducerRecord { Key = "live"u8.ToArray(), Value = Encoding.UTF8.GetBytes($"{sent++}") });
                return (await rewound.Received()).Count >= 2;
            }, "the rewind reached the last record");
        }

        // The progress marks between the rewound records reach the subscriber as nothing at all.
        Assert.Equal(["first", "last"], (await rewound.Received()).Select(r => r.Value));
        await WaitUntilAsync(async () => (await live.Received()).Count >= sent, $"the live subscriber has all {sent} records");
        Assert.Equal(Enumerable.Range(0, sent).Select(i => $"{i}"), (await live.Received()).Select(r => r.Value));
        var rewindTimes = await rewound.ReceivedAt();
        output.WriteLine($"the rewind read through {Bulk} KiB in {(rewindTimes[1] - rewindTimes[0]).TotalMilliseconds:F0} ms; " +
            $"the live stream received {(await live.ReceivedAt()).Count(t => t > rewindTimes[0] && t < rewindTimes[1])} records meanwhile");
    }

    private const int Bulk = 24_000; // records of 1 KiB: 24 fetches for a rewind to read through

    /// <summary>Writes a record of key "rewound", <see cref="Bulk"/> records of another key, and another "rewound".</summary>
    private async Task WriteRewoundAmidBulkAsync(string topic)
    {
        await using var producer = _cluster.Client.CreateProducer();
        producer.Produce(topic, new ProducerRecord { Key = "rewound"u8.ToArray(), Value = "first"u8.ToArray() });
        for (var i = 0; i < Bulk; i++) producer.Produce(topic, new ProducerRecord { Key = "bulk"u8.ToArray(), Value = new byte[1024] });
        producer.Produce(topic, new ProducerRecord { Key = "rewound"u8.ToArray(), Value = "last"u8.ToArray() });
        await producer.FlushAsync();
    }

    private const int Written = 21;

    /// <summary>
    /// Recreates the topic with a short retention and small segments, writes <see cref="Written"/> records of key
    /// "r" (all but the last an hour old), and waits until retention deleted the oldest and the provider's cache
    /// let go of them all, so a rewind must read Hub below its log start.
    /// </summary>
    private async Task WriteThenLoseTheOldestAsync(string topic, string provider)
    {
        await _cluster.Client.Admin.DeleteTopicAsync(topic);
        await _cluster.Client.Admin.CreateTopicAsync(topic, 1, new Dictionary<string, string> { ["retention.ms"] = "60000", ["segment.bytes"] = "1024" });
        var old = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        await using (var producer = _cluster.Client.CreateProducer(new ProducerOptions { LingerMs = 0 }))
        {
            for (var i = 0; i < Written; i++)
            {
                await producer.ProduceAsync(topic, new ProducerRecord
                {
                    Key = "r"u8.ToArray(), Value = Encoding.UTF8.GetBytes($"{i}"),
                    TimestampMs = i < Written - 1 ? old : null,
                    Headers = [new RecordHeader("pad", new byte[200])], // a few records per 1 KiB segment
                });
            }
        }
        var partition = _cluster.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, brokerId: 0));
        await WaitUntilAsync(async () => (await partition.GetState()).LogStartOffset > 0, "retention deleted the oldest records");
        await WaitUntilCommittedAsync(topic, provider, Written);
    }

    /// <summary>Waits until the provider committed the topic's (one partition's) records: its cache let go of them.</summary>
    private async Task WaitUntilCommittedAsync(string topic, string provider, long records) =>
        await WaitUntilAsync(async () =>
        {
            try
            {
                return (await _cluster.Client.Admin.DescribeGroupAsync($"orleans-streams.{provider}")).Partitions.Any(p => p.Topic == topic && p.CommittedOffset == records);
            }
            catch (Hub.Errors.HubException)
            {
                return false;
            }
        }, $"the provider committed all {records} records (its cache let go of them)");

    private IGrowingRecorderGrain Recorder(string key) => _cluster.Grains.GetGrain<IGrowingRecorderGrain>(key);

    private static int PartitionOf(string key, int partitions) => KeyPartitioner.PartitionFor(Encoding.UTF8.GetBytes(key), partitions);

    private static async Task ProduceAsync(HubProducer producer, string topic, IEnumerable<string> keys, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            foreach (var key in keys)
                producer.Produce(topic, new ProducerRecord { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes($"{key}:{i}") });
        }
        await producer.FlushAsync();
    }
}
