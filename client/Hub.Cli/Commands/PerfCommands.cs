using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Hub.Cli.CommandLine;
using Hub.Cli.Consuming;
using Hub.Cli.Perf;
using Hub.Cli.Producing;
using Hub.Client;
using Hub.Errors;
using Hub.Partitions;
using static Hub.Cli.CommandLine.CommonOptions;

namespace Hub.Cli.Commands;

/// <summary><c>hub perf produce|consume</c>: load generators that report throughput and, for produce, latency.</summary>
public static class PerfCommands
{
    private const int ReportEveryRecords = 4096;
    private const int LatencySampleEvery = 16;
    private const long NotTimed = 0; // Stopwatch timestamps are never 0

    public static Command Create(HubCommandRunner hub)
    {
        var perf = new Command("perf", "Measure produce and consume throughput");
        perf.Subcommands.Add(Produce(hub));
        perf.Subcommands.Add(Consume(hub));
        return perf;
    }

    private static Command Produce(HubCommandRunner hub)
    {
        var topicArgument = TopicArgument();
        var records = Positive(new Option<long>("--records", "-n") { Description = "Records to send", Required = true });
        var recordSize = Positive(new Option<int>("--record-size") { Description = "Value size in bytes", DefaultValueFactory = _ => 100 });
        var batchSize = Positive(new Option<int?>("--batch-size") { Description = "Producer batch size in bytes (batch.size)" });
        var lingerMs = NonNegative(new Option<int?>("--linger-ms") { Description = "How long a batch waits for more records (linger.ms)" });
        var maxInFlight = Positive(new Option<int?>("--max-in-flight") { Description = "Unacknowledged batches per partition (max.in.flight.requests.per.connection)" });
        var acks = AcksOption();
        var compression = CompressionOption();
        var partitions = Positive(new Option<int?>("--partitions", "-p") { Description = "Create the topic with this many partitions if it doesn't exist" });
        var throughput = NonNegative(new Option<long>("--throughput") { Description = "Records per second to aim for; 0 = as fast as possible" });
        var command = new Command("produce", "Send records as fast as asked and report records/s, MB/s and send-to-ack latency")
        {
            topicArgument, records, recordSize, batchSize, lingerMs, maxInFlight, acks, compression, partitions, throughput,
        };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(topicArgument);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                await EnsureTopicAsync(client.Admin, topic, parse.GetValue(partitions), cancel);
                var defaults = new ProducerOptions();
                await using var producer = client.CreateProducer(new ProducerOptions
                {
                    Acks = parse.GetValue(acks),
                    BatchSizeBytes = parse.GetValue(batchSize) ?? defaults.BatchSizeBytes,
                    LingerMs = parse.GetValue(lingerMs) ?? defaults.LingerMs,
                    MaxInFlightPerPartition = parse.GetValue(maxInFlight) ?? defaults.MaxInFlightPerPartition,
                    CompressionType = parse.GetValue(compression),
                });
                var size = parse.GetValue(recordSize);
                var histogram = new LatencyHistogram();
                var failures = new DeliveryFailures();
                string summary;
                await using (var meter = new ThroughputMeter(Console.Error))
                {
                    // Its own thread: the throttle's sleeps would otherwise hold one of the thread pool's threads,
                    // which the client's networking and the delivery callbacks need (two on 2 cores).
                    await Task.Factory.StartNew(
                        () => SendAll(producer, topic, parse.GetValue(records), size, parse.GetValue(throughput), histogram, meter, failures, cancel),
                        TaskCreationOptions.LongRunning);
                    await ProducerFlush.FlushAsync(producer, cancel);
                    summary = meter.Summary();
                }
                Console.WriteLine($"{summary} {LatencySummary(histogram)}");
                return failures.First is { } error
                    ? HubCommandRunner.Fail($"{failures.Count} records were not delivered: {error.Message}")
                    : 0;
            }, ct);
        });
        return command;
    }

    private static Command Consume(HubCommandRunner hub)
    {
        var topicArgument = TopicArgument();
        var records = Positive(new Option<long>("--records", "-n") { Description = "Records to read", Required = true });
        var fromBeginning = new Option<bool>("--from-beginning")
        {
            Description = "Read from the earliest records and stop once caught up (default); false waits for new records",
            DefaultValueFactory = _ => true,
        };
        var command = new Command("consume", "Read records from every partition and report records/s and MB/s")
        {
            topicArgument, records, fromBeginning,
        };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(topicArgument);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                var description = await client.Admin.DescribeTopicAsync(topic, cancel);
                var fromStart = parse.GetValue(fromBeginning);
                await using var consumer = client.CreateConsumer(PrintingConsumerOptions(IsolationLevel.ReadCommitted));
                var stopAtEnd = await ConsumeLoop.AssignAsync(consumer, description, TopicPartitions.Select(description, null),
                    fromStart ? OffsetSpec.Earliest : OffsetSpec.Latest, stopAtEnd: fromStart, cancel);
                var count = parse.GetValue(records);
                string summary;
                await using (var meter = new ThroughputMeter(Console.Error))
                {
                    // Whole batches, as a high-rate consumer reads. One thread reads, so it counts in locals and
                    // tells the meter (which its reporter reads from another thread) every few thousand records.
                    long consumed = 0, consumedBytes = 0, reportedRecords = 0, reportedBytes = 0;
                    await ConsumeLoop.RunBatchesAsync(consumer, topic, stopAtEnd,
                        (_, record) =>
                        {
                            consumed++;
                            consumedBytes += (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
                            if (consumed % ReportEveryRecords == 0) Report();
                            return consumed < count;
                        },
                        cancel);
                    Report();

                    void Report()
                    {
                        meter.Add(consumed - reportedRecords, consumedBytes - reportedBytes);
                        (reportedRecords, reportedBytes) = (consumed, consumedBytes);
                    }
                    summary = meter.Summary();
                }
                Console.WriteLine(summary);
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>Uses the topic if it exists; otherwise creates it when a partition count was given.</summary>
    private static async Task EnsureTopicAsync(HubAdmin admin, string topic, int? partitions, CancellationToken ct)
    {
        try
        {
            await admin.DescribeTopicAsync(topic, ct);
        }
        catch (HubException e) when (e.Code == ErrorCode.UnknownTopicOrPartition && partitions is { } count)
        {
            try
            {
                await admin.CreateTopicAsync(topic, count, null, ct);
            }
            catch (HubException created) when (created.Code == ErrorCode.TopicAlreadyExists)
            {
                // Another run created it in the meantime; use theirs.
            }
        }
    }

    /// <summary>
    /// Hands every record to the producer from this thread (Produce blocks while the producer's buffer is
    /// full, which is the back-pressure we want) and times each from the send to its acknowledgement.
    /// </summary>
    private static void SendAll(HubProducer producer, string topic, long count, int recordSize, long throughput,
        LatencyHistogram histogram, ThroughputMeter meter, DeliveryFailures failures, CancellationToken ct)
    {
        var value = new byte[recordSize];
        Random.Shared.NextBytes(value);
        // The producer copies the bytes when it buffers a record, so one record object serves every send, and
        // one callback serves every acknowledgement, told the send time as the record's state: sending a
        // record allocates nothing, which at millions of records a second is what keeps the GC quiet.
        // Latency is timed for one record in LatencySampleEvery (state NotTimed for the others), so percentiles
        // and max come from a sample, as Kafka's perf tool's percentiles do: reading the clock twice per record
        // cost more than a tenth of the tool's CPU.
        var record = new ProducerRecord { Value = value };
        Action<RecordMetadata?, Exception?, long> onDelivery = (_, error, sentAt) =>
        {
            if (error is not null)
            {
                failures.Add(error);
                return;
            }
            if (sentAt != NotTimed) histogram.Record((long)Stopwatch.GetElapsedTime(sentAt).TotalMicroseconds);
            meter.Add(1, recordSize);
        };
        var throttle = new Throttle(throughput, Stopwatch.GetTimestamp());
        for (long sent = 0; sent < count && !ct.IsCancellationRequested; sent++)
        {
            throttle.WaitBefore(sent);
            producer.Produce(topic, record, onDelivery, sent % LatencySampleEvery == 0 ? Stopwatch.GetTimestamp() : NotTimed);
        }
    }

    /// <summary>"latency_ms p50=.. p99=.. p999=.. max=.." from microsecond samples.</summary>
    private static string LatencySummary(LatencyHistogram microseconds)
    {
        static string Ms(long us) => (us / 1000.0).ToString("F2", CultureInfo.InvariantCulture);
        return $"latency_ms p50={Ms(microseconds.ValueAtPercentile(50))} p99={Ms(microseconds.ValueAtPercentile(99))} " +
               $"p999={Ms(microseconds.ValueAtPercentile(99.9))} max={Ms(microseconds.Max)}";
    }
}
