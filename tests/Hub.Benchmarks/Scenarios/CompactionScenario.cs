using System.Globalization;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Hub.Benchmarks.Measure;
using Hub.Tests.Cluster;

namespace Hub.Benchmarks.Scenarios;

/// <summary>
/// The log cleaner's throughput: a silo of its own (cleaner rounds every 100 ms rather than Kafka's 15 s), one
/// compacted partition, keyed 100 B records written by Confluent.Kafka with every key overwritten ten times. The
/// figure is log bytes rewritten per second of cleaning, from the silo's own report of each cleaning ("Cleaned ...:
/// N bytes to M ..., in T ms"), so the wait between rounds does not count; the map-building read of the dirty part
/// is inside T.
/// </summary>
public static partial class CompactionScenario
{
    private const string Topic = "compacted";

    /// <summary>Each key is written this many times: most of the log is superseded, as in a busy changelog.</summary>
    private const int WritesPerKey = 10;

    /// <summary>Rounds once the production ends with no new cleaning: the cleaner is done.</summary>
    private const int QuietRounds = 10;

    private static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(BenchContext context)
    {
        var records = context.Options.Records100;
        var segmentBytes = context.Options.Smoke ? 1 << 20 : 16 << 20;
        var name = $"log cleaner, 100 B records, {records / WritesPerKey:N0} keys written {WritesPerKey}x, {segmentBytes >> 20} MiB segments";
        await using var silo = await SiloProcess.StartAsync(Path.Combine(context.DataDirectory, "compaction"),
            environment: new Dictionary<string, string> { ["HUB_Hub__LogCleaner__Backoff"] = Backoff.ToString("c", CultureInfo.InvariantCulture) });
        await using (var client = await silo.ConnectAsync())
            await client.Admin.CreateTopicAsync(Topic, 1, new Dictionary<string, string>
            {
                ["cleanup.policy"] = "compact",
                ["segment.bytes"] = segmentBytes.ToString(CultureInfo.InvariantCulture),
            });
        await ProduceAsync($"127.0.0.1:{silo.KafkaPort}", records);

        using var timeout = new CancellationTokenSource(Timeout);
        var (passes, quiet) = (0, 0);
        while (quiet < QuietRounds)
        {
            await Task.Delay(Backoff, timeout.Token);
            var now = Cleanings(silo.Output).Count;
            (quiet, passes) = now == passes ? (quiet + 1, passes) : (0, now);
        }
        var cleanings = Cleanings(silo.Output);
        if (cleanings.Count == 0)
        {
            context.Add(Report.Figure.Skip(name, "the cleaner never ran", ProcessStats.LoadAverage()));
            return;
        }
        var (before, after, ms) = (cleanings.Sum(c => c.Before), cleanings.Sum(c => c.After), cleanings.Sum(c => c.Ms));
        context.Add(name, before / 1e6 / (Math.Max(ms, 1) / 1000.0), "MB/s", FormattableString.Invariant(
            $"{cleanings.Count} cleanings rewrote {before / 1e6:F0} MB into {after / 1e6:F1} MB in {ms / 1000.0:F1} s of cleaning, 1 cleaner thread"));
    }

    /// <summary>Keyed records as a changelog gets them: key i mod (records / 10), 100 B values.</summary>
    private static async Task ProduceAsync(string bootstrap, long records)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        var value = new byte[Sizes.Small];
        var keys = records / WritesPerKey;
        for (long i = 0; i < records; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(Topic, new Message<string, byte[]> { Key = (i % keys).ToString(CultureInfo.InvariantCulture), Value = value });
                    break;
                }
                catch (ProduceException<string, byte[]> e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        await Task.Run(() => producer.Flush(Timeout));
    }

    /// <summary>Every cleaning the silo reported so far: bytes rewritten, bytes they became, milliseconds taken.</summary>
    private static List<(long Before, long After, long Ms)> Cleanings(string output) =>
        CleanedLine().Matches(output).Select(m => (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();

    [GeneratedRegex(@"Cleaned \S+: (\d+) bytes to (\d+) .*? in (\d+) ms")]
    private static partial Regex CleanedLine();
}
