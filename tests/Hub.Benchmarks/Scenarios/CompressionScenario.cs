using Hub.Batches;
using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;
using Hub.Client;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// Compressed produce and consume side by side with uncompressed, on the same compressible data (JSON-like event
/// text, <see cref="JsonLikePayloads"/>; 100 B records, 4 partitions): through the SDK and through librdkafka (its
/// C API when bench.sh built the driver, Confluent.Kafka otherwise), each with none, lz4 and zstd. A produce row
/// says how many bytes the log holds for the values' bytes (the ratio achieved, batch and record overhead
/// included); the consume row after it reads that topic back (SDK consumers decompress, librdkafka too).
/// </summary>
public static class CompressionScenario
{
    private static readonly CompressionType[] Codecs = [CompressionType.None, CompressionType.Lz4, CompressionType.Zstd];

    public static async Task RunAsync(BenchContext context)
    {
        const int size = Sizes.Small;
        var records = context.Options.Records100;
        var values = JsonLikePayloads.Create(size);
        var payloads = JsonLikePayloads.WriteFile(values, context.DataDirectory);
        var (bootstrap, pids) = (context.KafkaBootstrap, context.SiloPids);
        var driver = context.Options.RdkafkaDriver;
        foreach (var codec in Codecs)
        {
            var name = codec.ToString().ToLowerInvariant();
            await RunAsync(context, "SDK", $"compressed-sdk-{name}", name,
                topic => SdkLoad.ProduceAsync(context.Client, topic, records, size, pids, new ProducerOptions { CompressionType = codec }, values),
                topic => SdkLoad.ConsumeAsync(context.Client, topic, records, pids));
            if (driver is not null)
                await RunAsync(context, "librdkafka (C)", $"compressed-c-{name}", name,
                    topic => NativeKafkaLoad.ProduceAsync(driver, bootstrap, topic, records, size, pids, name, payloads),
                    topic => NativeKafkaLoad.ConsumeAsync(driver, bootstrap, topic, Sizes.Partitions, records, pids));
            else
                await RunAsync(context, "Confluent.Kafka (.NET)", $"compressed-dotnet-{name}", name,
                    topic => KafkaLoad.ProduceAsync(bootstrap, topic, records, size, pids, KafkaConfig(bootstrap, codec), values),
                    topic => KafkaLoad.ConsumeAsync(bootstrap, topic, Sizes.Partitions, records, pids));
        }
    }

    private static async Task RunAsync(BenchContext context, string client, string topic, string codec,
        Func<string, Task<LoadResult>> produce, Func<string, Task<LoadResult>> consume)
    {
        await context.Client.Admin.CreateTopicAsync(topic, Sizes.Partitions);
        var produced = await produce(topic);
        await ThroughputScenarios.CheckStoredAsync(context.Client, topic, produced.Records);
        var stored = (await context.Client.Admin.DescribeTopicAsync(topic)).Partitions.Sum(p => p.SizeBytes);
        var label = $"{client}, 100 B JSON-like, {codec}, {Sizes.Partitions} partitions";
        context.Add($"produce {label}", produced.RecordsPerSecond, "records/s", FormattableString.Invariant(
            $"log {stored / 1e6:F0} MB for {produced.PayloadBytes / 1e6:F0} MB of values ({(double)produced.PayloadBytes / stored:F2}x); ") + produced.CostSummary());
        var consumed = await consume(topic);
        context.Add($"consume {label}", consumed.RecordsPerSecond, "records/s", consumed.CostSummary());
        await context.Client.Admin.DeleteTopicAsync(topic);
    }

    private static Confluent.Kafka.ProducerConfig KafkaConfig(string bootstrap, CompressionType codec)
    {
        var config = KafkaLoad.ProducerConfig(bootstrap);
        config.CompressionType = codec switch
        {
            CompressionType.Lz4 => Confluent.Kafka.CompressionType.Lz4,
            CompressionType.Zstd => Confluent.Kafka.CompressionType.Zstd,
            _ => Confluent.Kafka.CompressionType.None,
        };
        return config;
    }
}
