using System.Buffers.Binary;
using System.Diagnostics;
using Hub.Benchmarks.Measure;
using Hub.Cli.Perf;
using Hub.Client;
using Hub.Partitions;

namespace Hub.Benchmarks.Load;

/// <summary>
/// Produce and consume load through the Hub SDK, written the way a high-rate application uses it: record
/// objects built up front and one delivery callback for every send (the producer copies the bytes as it buffers),
/// whole fetched batches walked in place on the consumer side.
/// </summary>
public static class SdkLoad
{
    /// <param name="values">Values to send in turn (all of <paramref name="recordSize"/> bytes); one random value by default.</param>
    public static async Task<LoadResult> ProduceAsync(HubClient client, string topic, long records, int recordSize,
        int[] siloPids, ProducerOptions? options = null, byte[][]? values = null)
    {
        if (values is null)
        {
            values = [new byte[recordSize]];
            Random.Shared.NextBytes(values[0]);
        }
        var sends = values.Select(value => new ProducerRecord { Value = value }).ToArray();
        var failures = 0L;
        Exception? firstFailure = null;
        Action<RecordMetadata?, Exception?, long> onDelivery = (_, error, _) =>
        {
            if (error is null) return;
            Interlocked.Increment(ref failures);
            Interlocked.CompareExchange(ref firstFailure, error, null);
        };
        var measurement = Measurement.Start(siloPids);
        await using (var producer = client.CreateProducer(options ?? new ProducerOptions()))
        {
            // Produce blocks while the producer's buffer is full: that is the back-pressure that paces this loop.
            for (long sent = 0; sent < records; sent++) producer.Produce(topic, sends[sent % sends.Length], onDelivery, 0);
            await producer.FlushAsync();
        }
        var result = measurement.Stop(records, records * recordSize);
        if (firstFailure is not null) throw new InvalidOperationException($"{failures} records were not delivered", firstFailure);
        return result;
    }

    /// <summary>Reads <paramref name="records"/> records from the start of every partition of the topic.</summary>
    public static async Task<LoadResult> ConsumeAsync(HubClient client, string topic, long records, int[] siloPids, ConsumerOptions? options = null)
    {
        var measurement = Measurement.Start(siloPids);
        long consumed = 0, bytes = 0;
        await using (var consumer = client.CreateConsumer(options))
        {
            await consumer.AssignAllAsync(topic, OffsetSpec.Earliest);
            await foreach (var batch in consumer.ConsumeBatchesAsync())
            {
                foreach (var record in batch)
                {
                    consumed++;
                    bytes += record.Value?.Length ?? 0;
                }
                if (consumed >= records) break;
            }
        }
        return measurement.Stop(consumed, bytes);
    }

    /// <summary>
    /// End-to-end latency at a fixed offered rate: a rate-limited producer writes its send time into each
    /// value, a consumer that reads from the end of the log takes the difference on arrival (both in this
    /// process, so one clock). The first tenth of the records is a warm-up and not counted.
    /// </summary>
    public static async Task<LatencyResult> EndToEndAsync(HubClient client, string topic, long ratePerSecond, TimeSpan duration,
        int recordSize, ProducerOptions producerOptions)
    {
        var records = Math.Max(1, (long)(ratePerSecond * duration.TotalSeconds));
        var warmUp = records / 10;
        var histogram = new LatencyHistogram();
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAllAsync(topic, OffsetSpec.Latest);
        using var timeout = new CancellationTokenSource(duration * 3 + TimeSpan.FromSeconds(30));
        var receiving = Task.Run(async () =>
        {
            long received = 0;
            await foreach (var batch in consumer.ConsumeBatchesAsync(timeout.Token))
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var record in batch)
                {
                    var span = record.Value!.Value.Span;
                    if (BinaryPrimitives.ReadInt64LittleEndian(span[8..]) >= warmUp)
                        histogram.Record((long)Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(span), now).TotalMicroseconds);
                    if (++received == records) return;
                }
            }
        });

        var value = new byte[Math.Max(recordSize, 16)];
        var record = new ProducerRecord { Value = value };
        var sending = Stopwatch.GetTimestamp();
        await using (var producer = client.CreateProducer(producerOptions))
        {
            var throttle = new Throttle(ratePerSecond, sending);
            // Its own thread: the sleeps between sends would otherwise hold one of the thread pool's two threads,
            // which the consumer and the client's networking need.
            await Task.Factory.StartNew(() =>
            {
                for (long sent = 0; sent < records; sent++)
                {
                    throttle.WaitBefore(sent);
                    // Value = [send time][sequence][filler]; the producer copies it during Produce, so it is reused.
                    BinaryPrimitives.WriteInt64LittleEndian(value, Stopwatch.GetTimestamp());
                    BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), sent);
                    producer.Produce(topic, record);
                }
            }, TaskCreationOptions.LongRunning);
            await producer.FlushAsync();
        }
        var achieved = records / Stopwatch.GetElapsedTime(sending).TotalSeconds;
        await receiving;
        return new LatencyResult(ratePerSecond, achieved, histogram);
    }
}

/// <summary>Latency percentiles (from microsecond samples) at one offered rate, and the rate the producer achieved.</summary>
public sealed record LatencyResult(long OfferedPerSecond, double AchievedPerSecond, LatencyHistogram Microseconds)
{
    public double Millis(double percentile) => Microseconds.ValueAtPercentile(percentile) / 1000.0;

    public string Summary() => FormattableString.Invariant(
        $"p50 {Millis(50):F2} ms, p99 {Millis(99):F2} ms, p999 {Millis(99.9):F2} ms at {OfferedPerSecond:N0}/s offered ({AchievedPerSecond:N0}/s sent)");
}
