using System.Collections.Concurrent;
using System.Text;
using Hub.Client;
using Hub.Tests.Cluster;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Groups;

/// <summary>Hub's key-ordered parallel mode: more consumers than partitions, one consumer per key at a time.</summary>
public sealed class KeyOrderedConsumerTests : IAsyncLifetime
{
    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync(settings: FastGroups());

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Eight_consumers_on_two_partitions_keep_per_key_order_and_lose_nothing_when_one_crashes()
    {
        const int Records = 2000;
        await _cluster.Client.Admin.CreateTopicAsync("ordered", 2);
        // keys k0..k12, lz4-compressed: the partitions' dispatchers decompress the batches they fetch.
        await ProduceAsync(_cluster.Client, "ordered", Records, compression: Hub.Batches.CompressionType.Lz4);

        var consumers = Enumerable.Range(0, 8).Select(_ => _cluster.Client.CreateKeyOrderedConsumer(new KeyOrderedConsumerOptions
        {
            GroupId = "parallel",
            Topics = ["ordered"],
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeout = TimeSpan.FromSeconds(1),
            MaxWait = TimeSpan.FromMilliseconds(200),
            MaxInFlightPerPartition = 4,
        })).ToList();
        // Logged when a consumer starts on a record; a key's next record is handed out only after that.
        var log = new ConcurrentQueue<(string Key, int Partition, long Offset, int Consumer)>();
        using var stop = new CancellationTokenSource(Bound);
        var readers = consumers.Select((consumer, index) => Task.Run(async () =>
        {
            var taken = 0;
            try
            {
                await foreach (var result in consumer.ConsumeAsync(stop.Token))
                {
                    log.Enqueue((Encoding.UTF8.GetString(result.Record.Key!.Value.Span), result.Partition, result.Record.Offset, index));
                    // The first consumer dies holding its 20th record (and whatever it had fetched ahead).
                    if (index == 0 && ++taken == 20) break;
                    await Task.Yield();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            if (index == 0) await consumer.AbandonAsync();
        })).ToList();

        try
        {
            await WaitUntilAsync(() => log.Select(e => (e.Partition, e.Offset)).Distinct().Count() == Records, "every record is processed");
            var entries = log.ToList();
            foreach (var key in entries.GroupBy(e => e.Key))
            {
                var offsets = key.Select(e => e.Offset).ToList();
                Assert.True(offsets.Zip(offsets.Skip(1)).All(pair => pair.First <= pair.Second), $"key {key.Key} was processed out of order");
            }
            Assert.True(entries.Select(e => e.Consumer).Distinct().Count() > 2, "more consumers than partitions worked");
            // The record the crashed consumer died on was never acknowledged: another consumer processed it again.
            var diedOn = entries.Last(e => e.Consumer == 0);
            Assert.Contains(entries, e => e.Consumer != 0 && (e.Partition, e.Offset) == (diedOn.Partition, diedOn.Offset));

            // The group's committed offsets reach the end once everything is acknowledged.
            await WaitUntilAsync(async () =>
                (await _cluster.Client.Admin.DescribeGroupAsync("parallel")).Partitions.Sum(p => p.CommittedOffset ?? 0) == Records,
                "the committed offsets reach the end");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
            foreach (var consumer in consumers) await consumer.DisposeAsync();
        }
    }
}
