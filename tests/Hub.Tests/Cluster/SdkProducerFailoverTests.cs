using System.Collections.Concurrent;
using System.Diagnostics;
using Hub.Client;
using Hub.Partitions;
using Hub.Topics;
using Xunit.Abstractions;

namespace Hub.Tests.Cluster;

/// <summary>
/// The SDK producer, idempotent with five batches in flight, streaming numbered records into a partition with
/// three replicas while its leader's silo is SIGKILLed: every acknowledged record is read back once, where it
/// was reported, and the partition holds the records in produce order with none twice.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class SdkProducerFailoverTests(ITestOutputHelper output)
{
    private const string Topic = "sdk-failover";
    private const int Brokers = 3;

    /// <summary>Acknowledged records to wait for before the kill and after it: the stream is moving.</summary>
    private const int ProgressRecords = 5_000;

    /// <summary>Records produced but not yet acknowledged, at most: enough to keep five small batches in flight.</summary>
    private const int MaxOutstanding = 1_000;

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_acknowledged_record_is_stored_once_and_in_order_when_the_leaders_silo_is_killed()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(Brokers);
        var silos = cluster.Silos;
        try
        {
            await using var admin = await silos[0].ConnectAsync();
            var created = await admin.Admin.CreateTopicAsync(Topic, 1,
                new Dictionary<string, string> { [TopicConfig.MinInSyncReplicasKey] = "2" }, replicationFactor: Brokers);
            var leader = created.Partitions[0].Leader;
            await using var client = await silos[(leader + 1) % Brokers].ConnectAsync();

            var acked = new ConcurrentDictionary<long, long>(); // record number -> reported offset
            var failed = new ConcurrentQueue<string>();
            var outstanding = new SemaphoreSlim(MaxOutstanding);
            Action<RecordMetadata?, Exception?, long> onDelivery = (metadata, error, number) =>
            {
                if (error is null) acked[number] = metadata!.Value.Offset;
                else failed.Enqueue($"{number}: {error.Message}");
                outstanding.Release();
            };
            long produced = 0;
            using var stop = new CancellationTokenSource();
            await using (var producer = client.CreateProducer(new ProducerOptions { LingerMs = 1, BatchSizeBytes = 2_048 }))
            {
                var producing = Task.Run(async () =>
                {
                    for (long number = 0; !stop.IsCancellationRequested; number++)
                    {
                        try
                        {
                            await outstanding.WaitAsync(stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }
                        producer.Produce(Topic, new ProducerRecord { Value = BitConverter.GetBytes(number), Partition = 0 }, onDelivery, number);
                        produced = number + 1;
                    }
                });
                await WaitForAcksAsync(acked, ProgressRecords, failed);
                var killedAt = Stopwatch.StartNew();
                await silos[leader].KillAsync();
                await WaitForAcksAsync(acked, acked.Count + ProgressRecords, failed);
                output.WriteLine($"killed broker {leader}, the leader; {ProgressRecords} more acknowledged within {killedAt.ElapsedMilliseconds} ms");
                await stop.CancelAsync();
                await producing;
            }

            var stored = await ReadAllAsync(client);
            output.WriteLine($"produced {produced}, acknowledged {acked.Count}, failed {failed.Count}, stored {stored.Count}");
            Assert.Equal(stored.Count, stored.Distinct().Count());             // none twice
            Assert.Equal(stored.Order(), stored);                              // in produce order
            foreach (var (number, offset) in acked) Assert.Equal(number, stored[(int)offset]); // every acknowledged one, where reported
        }
        catch
        {
            foreach (var silo in silos) output.WriteLine($"--- broker {silo.BrokerId}:\n{silo.Output}");
            throw;
        }
    }

    private static async Task WaitForAcksAsync(ConcurrentDictionary<long, long> acked, int count, ConcurrentQueue<string> failed)
    {
        var deadline = Stopwatch.StartNew();
        while (acked.Count < count)
        {
            if (deadline.Elapsed > StepTimeout)
                throw new TimeoutException($"only {acked.Count} of {count} acknowledged; failures: {string.Join("; ", failed.Take(5))}");
            await Task.Delay(20);
        }
    }

    /// <summary>The partition's record numbers in offset order, up to its high watermark.</summary>
    private static async Task<List<long>> ReadAllAsync(HubClient client)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        var end = (await client.Admin.DescribeTopicAsync(Topic, timeout.Token)).Partitions[0].HighWatermark;
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAsync(Topic, 0, OffsetSpec.Earliest, timeout.Token);
        var numbers = new List<long>();
        if (end == 0) return numbers;
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            numbers.Add(BitConverter.ToInt64(result.Record.Value!.Value.Span));
            if (result.Record.Offset + 1 >= end) break;
        }
        return numbers;
    }
}
