using System.IO.Hashing;
using System.Text;
using Confluent.Kafka;
using Hub.Client;
using Hub.Partitions;
using KafkaAcks = Confluent.Kafka.Acks;

namespace Hub.Tests.Support;

/// <summary>
/// Records that check themselves (the value is a function of the key, its length too), produced through the SDK
/// and through librdkafka at once while an SDK consumer and a librdkafka consumer read them back. Any byte that
/// changes on the way, as when a pooled buffer is reused while a batch still lives in it, fails the read. Small
/// batches and fetches, so that buffers go round the pool many times.
/// </summary>
public static class CheckedTraffic
{
    private const int SmallBatchBytes = 64 * 1024;

    /// <summary>Produces <paramref name="recordsPerProducer"/> records from each producer and waits until both consumers have read every one intact.</summary>
    public static async Task RunAsync(HubClient producing, HubClient consuming, string kafkaBootstrap, string topic, int partitions,
        int recordsPerProducer, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var expected = 2 * recordsPerProducer;
        var reads = new[]
        {
            Task.Run(() => ReadWithSdkAsync(consuming, topic, expected, cancel.Token)),
            Task.Run(() => ReadWithKafka(kafkaBootstrap, topic, partitions, expected, cancel.Token)),
        };
        var writes = new[]
        {
            Task.Run(() => ProduceWithSdkAsync(producing, topic, partitions, recordsPerProducer)),
            Task.Run(() => ProduceWithKafka(kafkaBootstrap, topic, partitions, recordsPerProducer, cancel.Token)),
        };
        await Task.WhenAll(writes.Concat(reads)).WaitAsync(timeout);
    }

    private static byte[] Key(string producer, int sequence) => Encoding.UTF8.GetBytes($"{producer}-{sequence}");

    private static byte[] ValueOf(ReadOnlySpan<byte> key)
    {
        var seed = XxHash64.HashToUInt64(key);
        var value = new byte[40 + (int)(seed % 600)];
        for (var i = 0; i < value.Length; i++) value[i] = (byte)((seed >> (i % 56)) + (ulong)i);
        return value;
    }

    /// <summary>The key's text, once its value proved intact.</summary>
    private static string Checked(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (!value.SequenceEqual(ValueOf(key)))
            throw new InvalidDataException($"record '{Encoding.UTF8.GetString(key)}' came back with a different value ({value.Length} bytes)");
        return Encoding.UTF8.GetString(key);
    }

    private static async Task ProduceWithSdkAsync(HubClient client, string topic, int partitions, int count)
    {
        await using var producer = client.CreateProducer(new ProducerOptions { BatchSizeBytes = SmallBatchBytes, LingerMs = 2 });
        for (var i = 0; i < count; i++)
        {
            var key = Key("sdk", i);
            producer.Produce(topic, new ProducerRecord { Key = key, Value = ValueOf(key), Partition = i % partitions });
        }
        await producer.FlushAsync();
    }

    private static void ProduceWithKafka(string bootstrap, string topic, int partitions, int count, CancellationToken ct)
    {
        var config = new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 2, BatchSize = SmallBatchBytes, Acks = KafkaAcks.All, MessageTimeoutMs = 30_000 };
        using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        Error? failed = null;
        for (var i = 0; i < count; i++)
        {
            var key = Key("kafka", i);
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<byte[], byte[]> { Key = key, Value = ValueOf(key) },
                report => { if (report.Error.IsError) failed = report.Error; });
        }
        producer.Flush(ct);
        if (failed is not null) throw new KafkaException(failed);
    }

    private static async Task ReadWithSdkAsync(HubClient client, string topic, int expected, CancellationToken ct)
    {
        var seen = new HashSet<string>();
        await using var consumer = client.CreateConsumer(new ConsumerOptions { MaxPartitionFetchBytes = SmallBatchBytes, MaxWaitMs = 100 });
        await consumer.AssignAllAsync(topic, OffsetSpec.Earliest, ct);
        await foreach (var result in consumer.ConsumeAsync(ct))
        {
            seen.Add(Checked(result.Record.Key!.Value.Span, result.Record.Value!.Value.Span));
            if (seen.Count == expected) return;
        }
    }

    private static void ReadWithKafka(string bootstrap, string topic, int partitions, int expected, CancellationToken ct)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "unused", EnableAutoCommit = false, EnablePartitionEof = false,
            MaxPartitionFetchBytes = SmallBatchBytes, FetchWaitMaxMs = 50, CheckCrcs = true,
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var seen = new HashSet<string>();
        while (seen.Count < expected)
        {
            var result = consumer.Consume(ct);
            seen.Add(Checked(result.Message.Key, result.Message.Value));
        }
    }
}
