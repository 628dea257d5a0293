using System.Buffers.Binary;
using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Support;

namespace Hub.Tests.Cluster;

/// <summary>Three real silo processes on Redis clustering, as infra/local-cluster.sh runs them.</summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class MultiSiloClusterTests
{
    private const int Brokers = 3;
    private const int Partitions = 6;
    private const int RecordCount = 6_000;

    [Fact]
    public async Task Partitions_spread_over_brokers_and_any_gateway_serves_any_partition()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(Brokers);
        var silos = cluster.Silos;
        await using var first = await silos[0].ConnectAsync();
        var topic = await first.Admin.CreateTopicAsync("spread", Partitions, replicationFactor: 1);
        Assert.Equal(Enumerable.Range(0, Brokers), topic.Partitions.Select(p => p.Leader).Distinct().Order());

        await using (var producer = first.CreateProducer())
        {
            for (var i = 0; i < RecordCount; i++)
            {
                var value = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(value, i);
                producer.Produce("spread", new ProducerRecord { Value = value, Partition = i % Partitions });
            }
            await producer.FlushAsync();
        }

        await using var last = await silos[^1].ConnectAsync();
        var seen = new HashSet<long>();
        await using (var consumer = last.CreateConsumer())
        {
            await consumer.AssignAllAsync("spread", OffsetSpec.Earliest);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await foreach (var result in consumer.ConsumeAsync(timeout.Token))
            {
                Assert.True(seen.Add(BinaryPrimitives.ReadInt64BigEndian(result.Record.Value!.Value.Span)));
                if (seen.Count == RecordCount) break;
            }
        }
        Assert.Equal(RecordCount, seen.Count);

        // Each replica's files are on its own broker's disk, and nowhere else.
        foreach (var partition in topic.Partitions)
        {
            for (var broker = 0; broker < Brokers; broker++)
            {
                Assert.Equal(broker == partition.Leader, Directory.Exists(cluster.PartitionDirectory(broker, "spread", partition.Partition)));
            }
        }
    }

    /// <summary>
    /// Every kind of hop at once with replication factor 3: SDK calls through gateways on other silos than the
    /// leaders, Kafka listeners appending to and fetching from leaders elsewhere, followers copying the leaders.
    /// Each of those hands pooled buffers from one side to the other.
    /// </summary>
    [Fact]
    public async Task Concurrent_SDK_and_Kafka_traffic_arrives_intact_and_every_replica_holds_the_same_bytes()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(Brokers);
        var silos = cluster.Silos;
        await using var producing = await silos[0].ConnectAsync();
        await using var consuming = await silos[^1].ConnectAsync();
        var topic = await producing.Admin.CreateTopicAsync("checked", Partitions, replicationFactor: Brokers);

        await CheckedTraffic.RunAsync(producing, consuming, cluster.KafkaBootstrap, "checked", Partitions, recordsPerProducer: 10_000,
            TimeSpan.FromSeconds(120));

        // acks=all answered once the in-sync replicas had the records; one that fell behind catches up soon after.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var partition in topic.Partitions)
        {
            while (true)
            {
                var logs = partition.Replicas.Select(b => File.ReadAllBytes(
                    Path.Combine(cluster.PartitionDirectory(b, "checked", partition.Partition), "00000000000000000000.log"))).ToArray();
                if (logs.All(log => log.AsSpan().SequenceEqual(logs[0]))) break;
                await Task.Delay(100, timeout.Token);
            }
        }
    }
}
