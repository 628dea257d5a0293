using System.Diagnostics;
using Confluent.Kafka;
using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// Fetch sessions (KIP-227) against full fetches: one raw Fetch v12 consumer of a 1,000-partition topic, which a
/// producer writes a record a tick to, a few partitions taking turns, for the same time once fetching in full
/// (epoch -1, every partition named in every request and answered in every response) and once in a session (epoch 0
/// then incremental: only moved partitions sent, only changed ones answered). Side by side: request and response
/// bytes per fetch, fetches per second and silo CPU per fetch.
/// </summary>
public static class FetchSessionScenario
{
    private const int Partitions = 1_000;

    /// <summary>The partitions written to (every hundredth): a consumer of many partitions mostly polls idle ones.</summary>
    private const int WrittenPartitions = 10;

    /// <summary>Consumers' short long-poll: min_bytes 1, so a fetch of idle partitions waits this long at the silo.</summary>
    private const int MaxWaitMs = 10;

    /// <summary>Untimed fetches first: the initial full answers and the JIT are not the steady state measured.</summary>
    private const int WarmUpFetches = 20;

    /// <summary>Time between the producer's records: a trickle, so most fetches find nothing new.</summary>
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(20);

    public static async Task RunAsync(BenchContext context)
    {
        var run = context.Options.Smoke ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(10);
        const string topic = "fetch-sessions";
        await context.Client.Admin.CreateTopicAsync(topic, Partitions);
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaLoad.ProducerConfig(context.KafkaBootstrap)).Build();
        var written = 0;
        async Task WriteOneAsync() =>
            await producer.ProduceAsync(new TopicPartition(topic, written++ % WrittenPartitions * (Partitions / WrittenPartitions)), new Message<Null, byte[]> { Value = new byte[Sizes.Small] });
        for (var i = 0; i < WrittenPartitions; i++) await WriteOneAsync();

        var full = await MeasureAsync(context, topic, session: false, run, WriteOneAsync);
        var incremental = await MeasureAsync(context, topic, session: true, run, WriteOneAsync);
        foreach (var (label, result) in new[] { ("full fetches (epoch -1)", full), ("a fetch session (KIP-227)", incremental) })
            context.Add($"fetch {Partitions:N0} partitions, {label}", result.RequestBytesPerFetch, "B/request", result.Summary());
        context.Add($"fetch {Partitions:N0} partitions, session vs full", incremental.SiloCpuPerFetch.TotalMicroseconds / full.SiloCpuPerFetch.TotalMicroseconds * 100, "% silo CPU/fetch",
            FormattableString.Invariant($"request bytes {incremental.RequestBytesPerFetch / full.RequestBytesPerFetch:P1}, response bytes {incremental.ResponseBytesPerFetch / full.ResponseBytesPerFetch:P1}, fetches/s {incremental.FetchesPerSecond / full.FetchesPerSecond:P0} of full"));
        await context.Client.Admin.DeleteTopicAsync(topic);
    }

    private sealed record Result(long Fetches, long RequestBytes, long ResponseBytes, long Records, double Seconds, TimeSpan SiloCpu)
    {
        public double RequestBytesPerFetch => (double)RequestBytes / Fetches;
        public double ResponseBytesPerFetch => (double)ResponseBytes / Fetches;
        public double FetchesPerSecond => Fetches / Seconds;
        public TimeSpan SiloCpuPerFetch => SiloCpu / Fetches;

        public string Summary() => FormattableString.Invariant(
            $"{ResponseBytesPerFetch:N0} B/response, {FetchesPerSecond:N0} fetches/s, silo CPU {SiloCpuPerFetch.TotalMicroseconds:N0} µs/fetch, {Records:N0} records read");
    }

    private static async Task<Result> MeasureAsync(BenchContext context, string topic, bool session, TimeSpan run, Func<Task> writeOne)
    {
        using var consumer = await RawFetchConsumer.ConnectAsync(context.KafkaBootstrap, topic, Partitions, MaxWaitMs, session);
        for (var i = 0; i < WarmUpFetches; i++) await consumer.FetchAsync();
        var (requestBytes, responseBytes, records) = (consumer.RequestBytes, consumer.ResponseBytes, consumer.Records);
        var pid = context.Silo.ProcessId;
        var cpu = ProcessStats.CpuTime(pid);
        var clock = Stopwatch.StartNew();
        var lastWrite = TimeSpan.Zero;
        long fetches = 0;
        while (clock.Elapsed < run)
        {
            if (clock.Elapsed - lastWrite >= WriteInterval)
            {
                lastWrite = clock.Elapsed;
                await writeOne();
            }
            await consumer.FetchAsync();
            fetches++;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new Result(fetches, consumer.RequestBytes - requestBytes, consumer.ResponseBytes - responseBytes, consumer.Records - records, seconds,
            ProcessStats.CpuTime(pid) - cpu);
    }
}
