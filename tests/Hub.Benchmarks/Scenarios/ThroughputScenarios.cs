using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;
using Hub.Benchmarks.Report;
using Hub.Client;

namespace Hub.Benchmarks.Scenarios;

/// <summary>Produce and consume throughput on one silo: through the SDK, through librdkafka (.NET and C), and against partition count.</summary>
public static class ThroughputScenarios
{
    public static async Task ProduceAsync(BenchContext context)
    {
        foreach (var size in new[] { Sizes.Small, Sizes.Large })
        {
            var (_, produced) = await context.FilledTopicAsync(size, Sizes.Partitions, Sizes.Records(context, size));
            var name = $"produce SDK, {Sizes.Label(size)}, {Sizes.Partitions} partitions";
            context.Add(name, produced.RecordsPerSecond, "records/s", produced.CostSummary(), PeerProduce(context.Peers, produced.RecordsPerSecond, size));
            context.Add($"{name}, MB/s", produced.MegabytesPerSecond, "MB/s", "payload bytes", context.Peers.CompareWithLimits(produced.MegabytesPerSecond));
        }
    }

    public static async Task ConsumeAsync(BenchContext context)
    {
        foreach (var size in new[] { Sizes.Small, Sizes.Large })
        {
            var records = Sizes.Records(context, size);
            var (topic, _) = await context.FilledTopicAsync(size, Sizes.Partitions, records);
            var consumed = await SdkLoad.ConsumeAsync(context.Client, topic, records, context.SiloPids);
            context.Add($"consume SDK, {Sizes.Label(size)}, {Sizes.Partitions} partitions", consumed.RecordsPerSecond, "records/s", consumed.CostSummary(),
                size == Sizes.Small
                    ? context.Peers.Compare(consumed.RecordsPerSecond, "Redis XREADGROUP NOACK, COUNT 1000", "redis-streams", "consume-xreadgroup-count1000-noack", "records/s")
                    : null);
            // The same records read with pooled fetch buffers (records valid until the next batch), side by side.
            var pooled = await SdkLoad.ConsumeAsync(context.Client, topic, records, context.SiloPids, PooledConsumer);
            context.Add($"consume SDK, {Sizes.Label(size)}, {Sizes.Partitions} partitions, UntilNextBatch", pooled.RecordsPerSecond, "records/s", pooled.CostSummary());
        }
    }

    /// <summary>A consumer whose fetch buffers go back to a pool (<see cref="RecordLifetime.UntilNextBatch"/>).</summary>
    public static ConsumerOptions PooledConsumer => new() { RecordLifetime = RecordLifetime.UntilNextBatch };

    /// <summary>
    /// librdkafka producing to and consuming from the silo's Kafka listener, through Confluent.Kafka (.NET) and
    /// through its C API (Native/rdkafka_load.c, when bench.sh could build it), one size at a time, side by side.
    /// </summary>
    public static async Task KafkaAsync(BenchContext context)
    {
        var (bootstrap, pids) = (context.KafkaBootstrap, context.SiloPids);
        List<KafkaClient> clients =
        [
            new("dotnet", "Confluent.Kafka (.NET)",
                (topic, records, size) => KafkaLoad.ProduceAsync(bootstrap, topic, records, size, pids),
                (topic, records) => KafkaLoad.ConsumeAsync(bootstrap, topic, Sizes.Partitions, records, pids)),
        ];
        if (context.Options.RdkafkaDriver is { } driver)
            clients.Add(new("c", "librdkafka (C)",
                (topic, records, size) => NativeKafkaLoad.ProduceAsync(driver, bootstrap, topic, records, size, pids),
                (topic, records) => NativeKafkaLoad.ConsumeAsync(driver, bootstrap, topic, Sizes.Partitions, records, pids)));
        else
            context.Add(Figure.Skip("produce and consume librdkafka (C)", "the C driver was not built (bench.sh needs gcc and NuGet's librdkafka.redist: see its output)", ProcessStats.LoadAverage()));

        foreach (var size in new[] { Sizes.Small, Sizes.Large })
        {
            var records = Sizes.Records(context, size);
            foreach (var client in clients)
            {
                var topic = $"kafka-{client.Name}-{size}b";
                await context.Client.Admin.CreateTopicAsync(topic, Sizes.Partitions);
                var produced = await client.ProduceAsync(topic, records, size);
                await CheckStoredAsync(context.Client, topic, records);
                context.Add($"produce {client.Label}, {Sizes.Label(size)}, {Sizes.Partitions} partitions", produced.RecordsPerSecond, "records/s",
                    "linger 5 ms, 1 MiB batches, acks=all; " + produced.CostSummary(), PeerProduce(context.Peers, produced.RecordsPerSecond, size));
                var consumed = await client.ConsumeAsync(topic, records);
                context.Add($"consume {client.Label}, {Sizes.Label(size)}, {Sizes.Partitions} partitions", consumed.RecordsPerSecond, "records/s", consumed.CostSummary(),
                    size == Sizes.Small
                        ? context.Peers.Compare(consumed.RecordsPerSecond, "Redis XREADGROUP NOACK, COUNT 1000", "redis-streams", "consume-xreadgroup-count1000-noack", "records/s")
                        : null);
                await context.Client.Admin.DeleteTopicAsync(topic);
            }
        }
    }

    /// <summary>A Kafka client the kafka scenario drives: a short name for its topics, its label in the table, its loads.</summary>
    private sealed record KafkaClient(string Name, string Label,
        Func<string, long, int, Task<LoadResult>> ProduceAsync, Func<string, long, Task<LoadResult>> ConsumeAsync);

    /// <summary>How produce and consume rates change with the partition count (100-byte records, SDK).</summary>
    public static async Task PartitionsAsync(BenchContext context)
    {
        var records = context.Options.Records100;
        foreach (var partitions in new[] { 1, 16, 256 })
        {
            var (topic, produced) = await context.FilledTopicAsync(Sizes.Small, partitions, records);
            context.Add($"produce SDK, 100 B, {partitions} partitions", produced.RecordsPerSecond, "records/s", produced.CostSummary());
            var consumed = await SdkLoad.ConsumeAsync(context.Client, topic, records, context.SiloPids);
            context.Add($"consume SDK, 100 B, {partitions} partitions", consumed.RecordsPerSecond, "records/s", consumed.CostSummary());
        }
    }

    /// <summary>Fails unless the topic holds <paramref name="records"/> records (what a producer without delivery reports sent).</summary>
    public static async Task CheckStoredAsync(HubClient client, string topic, long records)
    {
        var stored = (await client.Admin.DescribeTopicAsync(topic)).Partitions.Sum(p => p.LogEndOffset - p.LogStartOffset);
        if (stored != records) throw new InvalidOperationException($"{topic} holds {stored} records, {records} were produced");
    }

    /// <summary>Redis Streams XADD (pipelined 64 deep, 50 clients) and NATS JetStream publish (256 acks outstanding): 100 B only.</summary>
    public static IEnumerable<Comparison> PeerProduce(PeerFigures peers, double recordsPerSecond, int size) =>
        size != Sizes.Small
            ? []
            : peers.Compare(recordsPerSecond, "Redis XADD, pipeline 64, 50 clients", "redis-streams", "xadd-100B-P64-c50", "records/s")
                .Concat(peers.Compare(recordsPerSecond, "NATS JetStream publish, 256 in flight", "nats-jetstream", "publish-100B-ack-window256", "records/s"));
}
