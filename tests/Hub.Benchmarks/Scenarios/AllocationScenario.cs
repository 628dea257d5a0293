using Hub.Benchmarks.Load;
using Hub.Benchmarks.Measure;
using Hub.Benchmarks.Report;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// Bytes allocated per record on the hot paths (the target is none: pooled buffers per batch), on both sides:
/// in this client process (the GC's own count) and in the silo (dotnet-counters), for produce and fetch through
/// the SDK and through the Kafka listener. 100-byte records, so a per-record allocation stands out.
/// </summary>
public static class AllocationScenario
{
    public static async Task RunAsync(BenchContext context)
    {
        if (SiloAllocations.Tool() is not { } tool)
        {
            context.Add(Figure.Skip("silo allocations per record", "dotnet-counters is not installed (dotnet tool install -g dotnet-counters)", ProcessStats.LoadAverage()));
            return;
        }
        var records = context.Options.Records100;
        var counters = Path.Combine(context.DataDirectory, "counters.csv");
        var sdkTopic = "alloc-sdk";
        var kafkaTopic = "alloc-kafka";
        await context.Client.Admin.CreateTopicAsync(sdkTopic, Sizes.Partitions);
        await context.Client.Admin.CreateTopicAsync(kafkaTopic, Sizes.Partitions);

        var loads = new List<(string Path, LoadResult Result, DateTime From, DateTime To)>();
        // The client's figures stand on their own; the silo's need dotnet-counters, whose trouble must not cost them.
        string? siloUnavailable = null;
        SiloAllocations? allocations = null;
        try
        {
            allocations = await SiloAllocations.StartAsync(tool, context.Silo.ProcessId, counters);
        }
        catch (InvalidOperationException e)
        {
            siloUnavailable = e.Message;
        }
        try
        {
            await MeasureAsync("produce SDK", () => SdkLoad.ProduceAsync(context.Client, sdkTopic, records, Sizes.Small, context.SiloPids));
            await MeasureAsync("fetch SDK", () => SdkLoad.ConsumeAsync(context.Client, sdkTopic, records, context.SiloPids));
            await MeasureAsync("fetch SDK, UntilNextBatch",
                () => SdkLoad.ConsumeAsync(context.Client, sdkTopic, records, context.SiloPids, ThroughputScenarios.PooledConsumer));
            await MeasureAsync("produce Kafka", () => KafkaLoad.ProduceAsync(context.KafkaBootstrap, kafkaTopic, records, Sizes.Small, context.SiloPids));
            await ThroughputScenarios.CheckStoredAsync(context.Client, kafkaTopic, records);
            await MeasureAsync("fetch Kafka", () => KafkaLoad.ConsumeAsync(context.KafkaBootstrap, kafkaTopic, Sizes.Partitions, records, context.SiloPids));
            if (allocations is not null && !await allocations.StopAsync()) siloUnavailable = "dotnet-counters wrote no samples";
        }
        finally
        {
            if (allocations is not null) await allocations.DisposeAsync();
        }
        foreach (var (path, result, from, to) in loads)
        {
            var name = $"allocated per record, {path}, 100 B";
            var client = FormattableString.Invariant($"client process {result.ClientAllocatedBytesPerRecord:F1} B/record");
            if (siloUnavailable is not null || allocations is null)
            {
                context.Add(name, result.ClientAllocatedBytesPerRecord, "B (client)", $"silo not measured: {siloUnavailable}");
                continue;
            }
            var siloBytes = allocations.AllocatedBetween(from, to);
            context.Add(name, siloBytes / (double)result.Records, "B (silo)",
                FormattableString.Invariant($"{client}; silo {siloBytes / 1e6:F0} MB for {result.Records:N0} records in {result.Seconds:F1} s"));
        }
        await context.Client.Admin.DeleteTopicAsync(sdkTopic);
        await context.Client.Admin.DeleteTopicAsync(kafkaTopic);

        async Task MeasureAsync(string path, Func<Task<LoadResult>> load)
        {
            var from = DateTime.Now;
            var result = await load();
            loads.Add((path, result, from, DateTime.Now));
            await Task.Delay(TimeSpan.FromSeconds(1)); // one-second samples: keep the loads' intervals apart
        }
    }
}
