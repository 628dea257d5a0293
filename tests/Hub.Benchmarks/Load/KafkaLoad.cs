using Confluent.Kafka;
using Hub.Benchmarks.Measure;

namespace Hub.Benchmarks.Load;

/// <summary>
/// Produce and consume load through librdkafka (Confluent.Kafka) against a silo's Kafka listener: what a
/// Kafka application gets from Hub unchanged.
/// </summary>
public static class KafkaLoad
{
    /// <summary>
    /// librdkafka's high-throughput settings: 5 ms linger, 1 MiB batches, a deep local queue, acks=all, and no
    /// delivery report per record (the .NET client allocated over 500 bytes per record for them, and its CPU
    /// per record was several times the silo's); librdkafka still waits for every batch's acknowledgement, and
    /// the caller checks the partitions' end offsets instead.
    /// </summary>
    public static ProducerConfig ProducerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        Acks = Acks.All,
        LingerMs = 5,
        BatchSize = 1024 * 1024,
        QueueBufferingMaxMessages = 1_000_000,
        QueueBufferingMaxKbytes = 256 * 1024,
        // Idempotence needs InitProducerId and sequence checks on every batch; kept off like librdkafka's default.
        EnableIdempotence = false,
        EnableDeliveryReports = false,
    };

    /// <param name="values">Values to send in turn (all of <paramref name="recordSize"/> bytes); one random value by default.</param>
    public static async Task<LoadResult> ProduceAsync(string bootstrap, string topic, long records, int recordSize, int[] siloPids,
        ProducerConfig? config = null, byte[][]? values = null)
    {
        if (values is null)
        {
            values = [new byte[recordSize]];
            Random.Shared.NextBytes(values[0]);
        }
        var messages = values.Select(value => new Message<Null, byte[]> { Value = value }).ToArray();
        Error? fatal = null;
        using var producer = new ProducerBuilder<Null, byte[]>(config ?? ProducerConfig(bootstrap))
            .SetErrorHandler((_, error) => { if (error.IsFatal) fatal = error; })
            .Build();
        var measurement = Measurement.Start(siloPids);
        for (long sent = 0; sent < records; sent++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, messages[sent % messages.Length]);
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1)); // the local queue is full: wait for deliveries
                }
            }
        }
        var unsent = await Task.Run(() => producer.Flush(TimeSpan.FromMinutes(5)));
        var result = measurement.Stop(records, records * recordSize);
        if (unsent > 0 || fatal is not null) throw new InvalidOperationException($"{unsent} records were not delivered; {fatal?.Reason}");
        return result;
    }

    /// <summary>
    /// <paramref name="records"/> records in transactions of <paramref name="perTransaction"/> (begin, produce, commit,
    /// one after another, as a transactional application does), with <see cref="ProducerConfig"/>'s batching.
    /// </summary>
    public static async Task<LoadResult> ProduceTransactionalAsync(string bootstrap, string topic, long records, int recordSize, int perTransaction, int[] siloPids)
    {
        var value = new byte[recordSize];
        Random.Shared.NextBytes(value);
        var message = new Message<Null, byte[]> { Value = value };
        var config = ProducerConfig(bootstrap);
        config.TransactionalId = $"bench-{topic}";
        config.EnableIdempotence = true;
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var timeout = TimeSpan.FromMinutes(1);
        var measurement = Measurement.Start(siloPids);
        await Task.Run(() =>
        {
            producer.InitTransactions(timeout);
            for (long sent = 0; sent < records;)
            {
                producer.BeginTransaction();
                for (var i = 0; i < perTransaction && sent < records; i++, sent++)
                {
                    while (true)
                    {
                        try
                        {
                            producer.Produce(topic, message);
                            break;
                        }
                        catch (ProduceException<Null, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                        {
                            producer.Poll(TimeSpan.FromMilliseconds(1));
                        }
                    }
                }
                producer.CommitTransaction(timeout); // flushes the transaction's records first
            }
        });
        return measurement.Stop(records, records * recordSize);
    }

    /// <summary>Reads <paramref name="records"/> records from the start of partitions 0..partitions-1 (assigned, no group).</summary>
    /// <param name="configure">Further settings, e.g. a TLS or SASL listener's.</param>
    public static async Task<LoadResult> ConsumeAsync(string bootstrap, string topic, int partitions, long records, int[] siloPids,
        Action<ClientConfig>? configure = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "hub-benchmarks", // librdkafka wants one; assign() never contacts the group coordinator
            EnableAutoCommit = false,
            FetchMaxBytes = 64 * 1024 * 1024,
            MaxPartitionFetchBytes = 8 * 1024 * 1024,
            QueuedMaxMessagesKbytes = 256 * 1024,
            // Only the value is read: the .NET client skips marshaling headers, timestamp and topic name per record.
            ConsumeResultFields = "none",
        };
        configure?.Invoke(config);
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        var measurement = Measurement.Start(siloPids);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        long consumed = 0, bytes = 0;
        await Task.Run(() =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (consumed < records && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromSeconds(1));
                if (result?.Message is null) continue;
                consumed++;
                bytes += result.Message.Value?.Length ?? 0;
            }
        });
        consumer.Close();
        return measurement.Stop(consumed, bytes);
    }
}
