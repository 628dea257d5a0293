using System.Diagnostics;
using Confluent.Kafka;
using Hub.Streamiz.WordCount;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Streamiz.Kafka.Net;
using Xunit.Abstractions;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Streams;

/// <summary>
/// Streamiz.Kafka.Net (the .NET Kafka Streams) against a real Hub silo process: the word count of
/// tests/Hub.Streamiz.WordCount (lines -> words -> group by word through a repartition topic -> count in an
/// in-memory store with a compacted changelog -> counts topic), run as processes that are stopped, killed and
/// replaced by new instances that rebuild the store from the changelog.
/// </summary>
public sealed class StreamizWordCountTests(ITestOutputHelper output)
{
    private const int Partitions = 3;

    /// <summary>Every wait, on a machine loaded by other tests; a killed instance's partitions and open transaction take about 10 s each to free.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static readonly string[] Vocabulary =
        ["apple", "pear", "plum", "fig", "kiwi", "lime", "date", "grape", "melon", "peach", "quince", "cherry"];

    /// <summary>The cleaner looks at the changelog's closed segments every 200 ms instead of Kafka's 15 s.</summary>
    private static readonly Dictionary<string, string> FastCleaner = new() { ["HUB_Hub__LogCleaner__Backoff"] = "00:00:00.200" };

    [Fact]
    public async Task At_least_once_counts_are_exact_after_a_clean_stop_and_a_new_instance_restoring_the_store_from_its_changelog()
    {
        const int FirstLines = 1000, SecondLines = 500;
        using var hubData = new TempDirectory();
        using var appState = new TempDirectory();
        await using var hub = await SiloProcess.StartAsync(hubData.Path, environment: FastCleaner);
        var app = await CreateTopicsAsync(hub, ProcessingGuarantee.AT_LEAST_ONCE, appState.Path);
        using var producer = Producer(hub);
        var truth = new Dictionary<string, long>();
        using var counts = new WordCountOutput(app.BootstrapServers, app.Output, Partitions, IsolationLevel.ReadCommitted);
        var instances = new List<SiloProcess>();
        try
        {
            await ProduceAsync(producer, app.Input, Lines(0, FirstLines), truth);
            var first = await StartAsync(app, instances);
            counts.ReadUntilCounted(truth, Timeout);
            await first.StopAsync();

            // The store is in memory: only the changelog, compacted meanwhile, can give the new instance the counts so far.
            await WaitUntilChangelogCompactedAsync(hub, app);
            await ProduceAsync(producer, app.Input, Lines(FirstLines, SecondLines), truth);
            var second = await StartAsync(app, instances);
            counts.ReadUntilCounted(truth, Timeout);
            await second.StopAsync();
            using var all = new WordCountOutput(app.BootstrapServers, app.Output, Partitions, IsolationLevel.ReadCommitted);
            all.ReadToEnd(Timeout);
            Assert.Equal(truth.OrderBy(t => t.Key), all.Latest().OrderBy(c => c.Key));
        }
        catch
        {
            Dump(hub, instances);
            throw;
        }
        finally
        {
            foreach (var instance in instances) await instance.DisposeAsync();
        }
    }

    [Fact]
    public async Task Exactly_once_counts_each_word_once_when_an_instance_is_killed_while_lines_flow()
    {
        const int Backlog = 2000, ChunkLines = 20;
        // Lines keep coming at about 400 a second: through the kill and the next instance's start.
        var chunkInterval = TimeSpan.FromMilliseconds(50);
        using var hubData = new TempDirectory();
        using var appState = new TempDirectory();
        // The killed instance's open transaction is aborted within a second of its timeout, not Kafka's 10 s sweep.
        await using var hub = await SiloProcess.StartAsync(hubData.Path, environment: new Dictionary<string, string>(FastCleaner)
        {
            ["HUB_Hub__TransactionTimeoutCheckInterval"] = "00:00:01",
        });
        var app = await CreateTopicsAsync(hub, ProcessingGuarantee.EXACTLY_ONCE, appState.Path);
        using var producer = Producer(hub);
        var truth = new Dictionary<string, long>();
        using var counts = new WordCountOutput(app.BootstrapServers, app.Output, Partitions, IsolationLevel.ReadCommitted);
        var instances = new List<SiloProcess>();
        using var stopLines = new CancellationTokenSource();
        var lines = Task.CompletedTask;
        try
        {
            await ProduceAsync(producer, app.Input, Lines(0, Backlog), truth);
            lines = Task.Run(async () =>
            {
                for (var next = Backlog; !stopLines.IsCancellationRequested; next += ChunkLines)
                {
                    await ProduceAsync(producer, app.Input, Lines(next, ChunkLines), truth);
                    await Task.Delay(chunkInterval);
                }
            });

            var first = await StartAsync(app, instances);
            // Kill once a part of the backlog is counted, so the instance is in the middle of its work.
            counts.ReadUntil(() => counts.Records >= Backlog, () => $"{Backlog} counts before the kill", Timeout);
            Assert.False(lines.IsCompleted, "lines should still be flowing at the kill");
            await first.KillAsync();
            var sinceKill = Stopwatch.StartNew();
            int countedAtKill;
            using (var atKill = new WordCountOutput(app.BootstrapServers, app.Output, Partitions, IsolationLevel.ReadCommitted))
            {
                atKill.ReadToEnd(Timeout);
                countedAtKill = atKill.Records;
            }

            await StartAsync(app, instances);
            counts.ReadUntil(() => counts.Records > countedAtKill, () => "the next instance's first count", Timeout);
            // Its partitions wait for the killed member's session timeout, its reads for the killed transaction's abort.
            output.WriteLine($"the next instance's first committed count came {sinceKill.Elapsed.TotalSeconds:F1} s after the kill");
            counts.ReadUntil(() => counts.Records >= countedAtKill + Backlog, () => "the next instance's counts", Timeout);
            await stopLines.CancelAsync();
            await lines.WaitAsync(Timeout);

            counts.ReadUntilCounted(truth, Timeout);
            await instances[^1].StopAsync();
            using var committed = new WordCountOutput(app.BootstrapServers, app.Output, Partitions, IsolationLevel.ReadCommitted);
            committed.ReadToEnd(Timeout);
            // Each word's counts go 1, 2, 3, ... up to its true count: none skipped (lost) or repeated (counted twice).
            Assert.Equal(truth.Keys.Order(), committed.Counts.Keys.Order());
            foreach (var (word, count) in truth)
                Assert.True(committed.Counts[word].SequenceEqual(Enumerable.Range(1, (int)count).Select(c => (long)c)),
                    $"{word}: counts {string.Join(",", committed.Counts[word])}, expected 1..{count}");

            using var uncommitted = new WordCountOutput(app.BootstrapServers, app.Output, Partitions, IsolationLevel.ReadUncommitted);
            uncommitted.ReadToEnd(Timeout);
            output.WriteLine($"{committed.Records} committed counts; {uncommitted.Records - committed.Records} written in transactions that were aborted");
            await using var client = await hub.ConnectAsync();
            var changelog = await client.Admin.DescribeTopicAsync(WordCountTopology.ChangelogTopic(app.ApplicationId));
            output.WriteLine($"changelog cleaned up to {string.Join(", ", changelog.Partitions.Select(p => $"{p.CleanedUpTo} of {p.LogEndOffset}"))}");
        }
        catch
        {
            await stopLines.CancelAsync();
            Dump(hub, instances);
            throw;
        }
        finally
        {
            foreach (var instance in instances) await instance.DisposeAsync();
        }
    }

    /// <summary>Waits until Hub's cleaner compacted a part of every partition of the count store's changelog.</summary>
    private static async Task WaitUntilChangelogCompactedAsync(SiloProcess hub, WordCountSettings app)
    {
        await using var client = await hub.ConnectAsync();
        var changelog = WordCountTopology.ChangelogTopic(app.ApplicationId);
        await WaitUntilAsync(async () => (await client.Admin.DescribeTopicAsync(changelog)).Partitions.All(p => p.CleanedUpTo > 0),
            $"the cleaner compacted {changelog}", Timeout);
    }

    /// <summary>Line <paramref name="first"/> and the <paramref name="count"/> - 1 after it: 1 to 5 words of the vocabulary, the same every run.</summary>
    private static IEnumerable<string> Lines(int first, int count) => Enumerable.Range(first, count)
        .Select(n => string.Join(' ', Enumerable.Range(0, n % 5 + 1).Select(w => Vocabulary[(n * 7 + w * 5) % Vocabulary.Length])));

    /// <summary>Produces <paramref name="lines"/> and, once every one is acknowledged, adds their words to <paramref name="truth"/>.</summary>
    private static async Task ProduceAsync(IProducer<Null, string> producer, string topic, IEnumerable<string> lines, Dictionary<string, long> truth)
    {
        var sent = lines.ToList();
        await Task.WhenAll(sent.Select(line => producer.ProduceAsync(topic, new Message<Null, string> { Value = line })));
        lock (truth)
        {
            foreach (var word in sent.SelectMany(WordCountTopology.Words))
                truth[word] = truth.GetValueOrDefault(word) + 1;
        }
    }

    /// <summary>Idempotent, so a retried send is not a line counted twice.</summary>
    private static IProducer<Null, string> Producer(SiloProcess hub) =>
        new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = Bootstrap(hub), EnableIdempotence = true, LingerMs = 5 }).Build();

    private static string Bootstrap(SiloProcess hub) => $"127.0.0.1:{hub.KafkaPort}";

    /// <summary>The input and output topics; Streamiz creates its repartition and changelog topics itself.</summary>
    private static async Task<WordCountSettings> CreateTopicsAsync(SiloProcess hub, ProcessingGuarantee guarantee, string stateDir)
    {
        var id = $"wordcount-{Guid.NewGuid():N}"[..20];
        var app = new WordCountSettings(Bootstrap(hub), id, $"{id}-lines", $"{id}-counts", guarantee, stateDir);
        await using var client = await hub.ConnectAsync();
        await client.Admin.CreateTopicAsync(app.Input, Partitions);
        await client.Admin.CreateTopicAsync(app.Output, Partitions);
        return app;
    }

    /// <summary>A new instance of the application (a process of its own, its own state directory), added to <paramref name="instances"/>.</summary>
    private static async Task<SiloProcess> StartAsync(WordCountSettings app, List<SiloProcess> instances)
    {
        var instance = await SiloProcess.StartProgramAsync(SiloProcess.BuiltDll("tests/Hub.Streamiz.WordCount", "Hub.Streamiz.WordCount"),
            (app with { StateDir = Path.Combine(app.StateDir, $"{instances.Count}") }).Arguments(), gatewayPort: 0);
        instances.Add(instance);
        return instance;
    }

    private void Dump(SiloProcess hub, List<SiloProcess> instances)
    {
        foreach (var (instance, n) in instances.Select((instance, n) => (instance, n))) output.WriteLine($"--- word count instance {n}:\n{instance.Output}");
        output.WriteLine($"--- hub:\n{hub.Output}");
    }
}
