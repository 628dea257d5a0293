using System.Diagnostics;
using Confluent.Kafka;
using Hub.Silo.Configuration;
using Hub.Silo.Cleaner;
using Hub.Silo.Log;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Hub.Topics;
using Xunit.Abstractions;

namespace Hub.Tests.Cleaner;

/// <summary>
/// Compaction in real silo processes with a real client (Confluent.Kafka, librdkafka): keys overwritten and deleted
/// read back compacted, across a leader's SIGKILL on three replicas, the same on every replica; and a silo SIGKILLed
/// in the middle of a swap restarts with a log that reads right.
/// </summary>
[Collection(RedisSiloClusterCollection.Name)]
public sealed class CompactionClusterTests(ITestOutputHelper output)
{
    private const string Topic = "changelog";
    private const int Keys = 100;

    /// <summary>Writes of every key: enough that cleaning shows as a log several times smaller.</summary>
    private const int Rounds = 20;

    /// <summary>Every tenth key is deleted (a tombstone) after the last round.</summary>
    private const int DeletedEvery = 10;

    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Cleaner rounds every 200 ms, so a test sees cleaning within a second or two.</summary>
    private static readonly Dictionary<string, string> FastCleaner = new() { ["Hub:LogCleaner:Backoff"] = "00:00:00.200" };

    /// <summary>Small segments, so most of the log is in closed segments the cleaner may rewrite; cleaned at any dirt.</summary>
    private static readonly Dictionary<string, string> CompactedTopic = new()
    {
        [TopicConfig.CleanupPolicyKey] = "compact",
        [TopicConfig.SegmentBytesKey] = "8192",
        [TopicConfig.MinCleanableDirtyRatioKey] = "0.01",
    };

    [Fact]
    public async Task Overwritten_and_deleted_keys_read_back_compacted_across_a_leader_failover_and_alike_on_every_replica()
    {
        await using var cluster = await RedisSiloCluster.StartAsync(3, FastCleaner);
        var silos = cluster.Silos;
        try
        {
            await using (var admin = await silos[0].ConnectAsync())
                await admin.Admin.CreateTopicAsync(Topic, 1, CompactedTopic, replicationFactor: 3);
            var expected = new Dictionary<string, string?>();
            var produced = await ProduceRoundsAsync(cluster.KafkaBootstrap, 0, Rounds, expected);
            await WaitUntilCompactedAsync(cluster.KafkaBootstrap, expected, produced, "before the failover");

            var leader = await LeaderAsync(silos[0]);
            await silos[leader].KillAsync();
            var survivor = silos[(leader + 1) % 3];
            using (var timeout = new CancellationTokenSource(StepTimeout))
            {
                while (await LeaderAsync(survivor) == leader) await Task.Delay(100, timeout.Token);
            }
            produced += await ProduceRoundsAsync(cluster.KafkaBootstrap, Rounds, Rounds * 2, expected);
            await WaitUntilCompactedAsync(cluster.KafkaBootstrap, expected, produced, "after the failover");

            silos[leader] = await silos[leader].RestartAsync();
            await WaitForFullIsrAsync(survivor);
            foreach (var silo in silos) await silo.StopAsync();

            // Each replica compacted its own log; above the furthest cleaner's point the logs are the same records,
            // and every replica's reader ends up with the same newest record per key.
            var logs = Enumerable.Range(0, 3).Select(b => SegmentLog.Open(cluster.PartitionDirectory(b, Topic, 0), TopicConfig.Default)).ToList();
            try
            {
                var cleanedUpTo = logs.Max(l => l.CleanedUpTo);
                output.WriteLine($"cleaner points {string.Join(", ", logs.Select(l => l.CleanedUpTo))}; log ends {string.Join(", ", logs.Select(l => l.LogEndOffset))}");
                var above = logs.Select(l => KeyedLog.Records(l).Where(r => r.Offset >= cleanedUpTo).ToList()).ToList();
                Assert.All(above, records => Assert.Equal(above[0], records));
                Assert.All(logs, l => Assert.Equal(expected, KeyedLog.Latest(l).ToDictionary(e => e.Key, e => e.Value.Value)));
            }
            finally
            {
                foreach (var log in logs) log.Dispose();
            }
        }
        catch
        {
            foreach (var silo in silos) output.WriteLine($"--- broker {silo.BrokerId}:\n{silo.Output}");
            throw;
        }
    }

    [Fact]
    public async Task A_silo_killed_in_the_middle_of_a_swap_restarts_with_a_log_that_reads_compacted()
    {
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string>(FastCleaner.Select(s => KeyValuePair.Create("HUB_" + s.Key.Replace(":", "__"), s.Value)))
        {
            ["HUB_Hub__FaultInjection__Enabled"] = "true",
            ["HUB_Hub__FaultInjection__CleanerCrashStep"] = nameof(SwapStep.FirstOldSegmentDeleted),
        };
        var silo = await SiloProcess.StartAsync(data.Path, environment: settings);
        try
        {
            await using (var admin = await silo.ConnectAsync())
                await admin.Admin.CreateTopicAsync(Topic, 1, CompactedTopic, replicationFactor: 1);
            // The cleaner starts on the first closed segments while the records may still come: the silo may die under
            // the producer, whose last records are then lost; the rounds after the restart write every key again.
            var expected = new Dictionary<string, string?>();
            var cutShort = ProduceRoundsAsync($"127.0.0.1:{silo.KafkaPort}", 0, Rounds, expected, messageTimeoutMs: 10_000);
            await silo.WaitForExitAsync(StepTimeout);
            await cutShort.ContinueWith(produce => produce.Exception, TaskScheduler.Default);
            Assert.True(File.Exists(Path.Combine(data.Path, "fault-injection", FaultInjectionOptions.CleanerCrashedMarker)));

            silo = await silo.RestartAsync();
            var produced = await ProduceRoundsAsync($"127.0.0.1:{silo.KafkaPort}", Rounds, Rounds * 2, expected);
            // The partition's first activation, for the produce, recovered its log.
            Assert.Contains("Completing the interrupted swap", silo.Output, StringComparison.Ordinal);
            await WaitUntilCompactedAsync($"127.0.0.1:{silo.KafkaPort}", expected, produced, "after the crash");
            await using var client = await silo.ConnectAsync();
            var state = (await client.Admin.DescribeTopicAsync(Topic)).Partitions[0];
            Assert.InRange(state.CleanedUpTo, 1, state.LogEndOffset); // what `hub topics describe` shows as CLEANED-TO

            using var producer = new ProducerBuilder<string?, string>(new ProducerConfig { BootstrapServers = $"127.0.0.1:{silo.KafkaPort}" }).Build();
            var keyless = await Assert.ThrowsAsync<ProduceException<string?, string>>(() =>
                producer.ProduceAsync(Topic, new Message<string?, string> { Key = null, Value = "no key" }));
            Assert.Equal(Confluent.Kafka.ErrorCode.InvalidRecord, keyless.Error.Code);
        }
        catch
        {
            output.WriteLine(silo.Output);
            throw;
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    /// <summary>
    /// Writes every key once per round in [<paramref name="from"/>, <paramref name="to"/>) with an idempotent acks=all
    /// producer, then deletes every tenth; <paramref name="expected"/> gets each key's newest value. Returns the records written.
    /// </summary>
    private static async Task<int> ProduceRoundsAsync(string bootstrap, int from, int to, Dictionary<string, string?> expected, int messageTimeoutMs = 60_000)
    {
        using var producer = new ProducerBuilder<string, string?>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Confluent.Kafka.Acks.All,
            LingerMs = 5,
            // Batches a few times smaller than a segment: one batch larger than segment.bytes is a segment of its own.
            BatchSize = 2048,
            MessageTimeoutMs = messageTimeoutMs,
        }).Build();
        var sends = new List<Task>();
        for (var round = from; round < to; round++)
        {
            for (var key = 0; key < Keys; key++)
            {
                var value = $"round {round} of key {key} {new string('.', 40)}";
                sends.Add(producer.ProduceAsync(Topic, new Message<string, string?> { Key = $"key-{key}", Value = value }));
                expected[$"key-{key}"] = value;
            }
        }
        for (var key = 0; key < Keys; key += DeletedEvery)
        {
            sends.Add(producer.ProduceAsync(Topic, new Message<string, string?> { Key = $"key-{key}", Value = null }));
            expected[$"key-{key}"] = null;
        }
        await Task.WhenAll(sends).WaitAsync(StepTimeout);
        return sends.Count;
    }

    /// <summary>
    /// Reads the partition from the start until a consumer sees every key's newest value (deleted keys as tombstones)
    /// in a log several times smaller than what was written: the cleaner ran. Offsets must only grow.
    /// </summary>
    private async Task WaitUntilCompactedAsync(string bootstrap, Dictionary<string, string?> expected, int produced, string when)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(StepTimeout);
        List<(long Offset, string Key, string? Value)> records;
        while (true)
        {
            records = ReadAll(bootstrap);
            Assert.Equal(records.Select(r => r.Offset).Order(), records.Select(r => r.Offset));
            var latest = records.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Last().Value);
            if (records.Count < produced / 4 && latest.Count == expected.Count && expected.All(e => latest[e.Key] == e.Value)) break;
            await Task.Delay(200, timeout.Token);
        }
        output.WriteLine($"{when}: {records.Count} records read back for {produced} written, within {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms");
    }

    /// <summary>Every record of the topic's partition from the start to its end, as a librdkafka consumer gets them.</summary>
    private static List<(long Offset, string Key, string? Value)> ReadAll(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<string, string?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"read-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        var partition = new TopicPartition(Topic, 0);
        var end = consumer.QueryWatermarkOffsets(partition, StepTimeout).High.Value;
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var records = new List<(long, string, string?)>();
        var deadline = Stopwatch.GetTimestamp() + (long)(StepTimeout.TotalSeconds * Stopwatch.Frequency);
        while (consumer.Position(partition).Value < end && Stopwatch.GetTimestamp() < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
                records.Add((result.Offset.Value, result.Message.Key, result.Message.Value));
        }
        Assert.True(consumer.Position(partition).Value >= end, $"read up to {consumer.Position(partition)} of {end} within {StepTimeout}");
        return records;
    }

    private static async Task<int> LeaderAsync(SiloProcess gateway)
    {
        await using var client = await gateway.ConnectAsync();
        return (await client.Admin.DescribeTopicAsync(Topic)).Metadata.Partitions[0].Leader;
    }

    private static async Task WaitForFullIsrAsync(SiloProcess gateway)
    {
        await using var client = await gateway.ConnectAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        while ((await client.Admin.ListTopicsAsync(timeout.Token)).Single(t => t.Name == Topic).Partitions[0].InSync.Length < 3)
            await Task.Delay(100, timeout.Token);
    }
}
