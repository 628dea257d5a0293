using Hub.Benchmarks.Load;
using Hub.Benchmarks.Report;
using Hub.Client;

namespace Hub.Benchmarks.Scenarios;

/// <summary>Produce and consume throughput on one silo: through the SDK, through librdkafka, and against partition count.</summary>
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
        }
    }

    /// <summary>librdkafka (Confluent.Kafka) producing to and consuming from the silo's Kafka listener.</summary>
    public static async Task KafkaAsync(BenchContext context)
    {
        foreach (var size in new[] { Sizes.Small, Sizes.Large })
        {
            var records = Sizes.Records(context, size);
            var topic = $"kafka-{size}b";
            await context.Client.Admin.CreateTopicAsync(topic, Sizes.Partitions);
            var produced = await KafkaLoad.ProduceAsync(context.KafkaBootstrap, topic, records, size, context.SiloPids);
            await CheckStoredAsync(context.Client, topic, records);
            context.Add($"produce librdkafka, {Sizes.Label(size)}, {Sizes.Partitions} partitions", produced.RecordsPerSecond, "records/s",
                "linger 5 ms, 1 MiB batches, acks=all; " + produced.CostSummary(), PeerProduce(context.Peers, produced.RecordsPerSecond, size));
            var consumed = await KafkaLoad.ConsumeAsync(context.KafkaBootstrap, topic, Sizes.Partitions, records, context.SiloPids);
            context.Add($"consume librdkafka, {Sizes.Label(size)}, {Sizes.Partitions} partitions", consumed.RecordsPerSecond, "records/s", consumed.CostSummary(),
                size == Sizes.Small
                    ? context.Peers.Compare(consumed.RecordsPerSecond, "Redis XREADGROUP NOACK, COUNT 1000", "redis-streams", "consume-xreadgroup-count1000-noack", "records/s")
                    : null);
            await context.Client.Admin.DeleteTopicAsync(topic);
        }
    }

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
