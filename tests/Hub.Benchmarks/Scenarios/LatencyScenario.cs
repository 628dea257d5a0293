using Hub.Benchmarks.Load;
using Hub.Client;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// End-to-end latency (send to receive) at 10%, 50% and 90% of the peak the SDK producer reached for the same
/// record size in this run. The producer does not linger (linger.ms=0, Kafka's latency setting): a batch goes as
/// soon as the partition's previous one is acknowledged, so batches grow with the load by themselves; at half of
/// peak a 1 ms linger measured twice the median (2.0-2.6 ms against 1.1-1.3 ms, send to acknowledgement).
/// At half of peak it runs once more on a topic that never fsyncs within the run (flush.ms of a day): the
/// difference is what the default flush policy's fsync (every 100 ms per partition) costs the tail.
/// </summary>
public static class LatencyScenario
{
    public static readonly double[] LoadFractions = [0.1, 0.5, 0.9];

    public static ProducerOptions Producer => new() { LingerMs = 0 };

    private const double HalfLoad = 0.5;
    private static readonly Dictionary<string, string> NoFsyncInRun = new() { ["flush.ms"] = "86400000" };

    public static async Task RunAsync(BenchContext context)
    {
        foreach (var size in new[] { Sizes.Small, Sizes.Large })
        {
            var (_, peak) = await context.FilledTopicAsync(size, Sizes.Partitions, Sizes.Records(context, size));
            var topic = $"latency-{size}b";
            await context.Client.Admin.CreateTopicAsync(topic, Sizes.Partitions);
            foreach (var fraction in LoadFractions)
            {
                var rate = (long)(peak.RecordsPerSecond * fraction);
                var result = await SdkLoad.EndToEndAsync(context.Client, topic, rate, context.Options.LatencyRun, size, Producer);
                context.AddLatency(Sizes.Label(size), $"{fraction:P0} of peak", result);
            }
            await context.Client.Admin.DeleteTopicAsync(topic);

            var unsynced = $"latency-{size}b-unsynced";
            await context.Client.Admin.CreateTopicAsync(unsynced, Sizes.Partitions, NoFsyncInRun);
            var withoutFsync = await SdkLoad.EndToEndAsync(context.Client, unsynced, (long)(peak.RecordsPerSecond * HalfLoad), context.Options.LatencyRun, size, Producer);
            context.AddLatency($"{Sizes.Label(size)}, flush.ms=1 day", $"{HalfLoad:P0} of peak", withoutFsync);
            await context.Client.Admin.DeleteTopicAsync(unsynced);
        }
    }
}
