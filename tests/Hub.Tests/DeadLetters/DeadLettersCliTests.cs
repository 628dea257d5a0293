using System.Text;
using Hub.Batches;
using Hub.Client;
using Hub.Partitions;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.DeadLetters;

/// <summary><c>hub deadletters list|replay</c> run as a user runs them, against a real silo process.</summary>
public sealed class DeadLettersCliTests
{
    [Fact]
    public async Task List_shows_each_dead_letter_and_replay_sends_each_back_once()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path);
        await using var client = await silo.ConnectAsync();
        await client.Admin.CreateTopicAsync("orders", 2);
        await client.Admin.CreateTopicAsync("orders-retry", 1);
        await using (var producer = client.CreateProducer(new ProducerOptions { LingerMs = 0 }))
        {
            await producer.ProduceAsync("orders", Order("k1", "ok", 0));
            await producer.ProduceAsync("orders", Order("k2", "bad-1", 1) with { Headers = [new RecordHeader("trace", "t-2"u8.ToArray())], TimestampMs = 1_700_000_000_000 });
            await producer.ProduceAsync("orders", Order("k3", "bad-2", 0));
        }
        // Partition 1 first, so bad-1 is dead letter 0 and bad-2 dead letter 1.
        await DeadLetterBadOrdersAsync(client, partition: 1, count: 1);
        await DeadLetterBadOrdersAsync(client, partition: 0, count: 2);

        var list = await HubCli.RunAsync(silo, null, HubCli.Timeout, "deadletters", "list", "orders.dlq");
        var rows = list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.Matches(@"^PARTITION\s+OFFSET\s+SOURCE-TOPIC\s+SOURCE-PARTITION\s+SOURCE-OFFSET\s+ATTEMPTS\s+FAILED-AT\s+ERROR$", rows[0]);
        Assert.Matches(@"^0\s+0\s+orders\s+1\s+0\s+2\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+System\.FormatException: bad order bad-1$", rows.Single(r => r.Contains("bad-1")));
        Assert.Matches(@"^0\s+1\s+orders\s+0\s+1\s+2\s+.*bad order bad-2$", rows.Single(r => r.Contains("bad-2")));
        Assert.Contains("2 dead letters in orders.dlq", list.Errors);
        // The source topic given by mistake: its records are not dead letters, and the listing says so.
        var wrongTopic = await HubCli.RunAsync(silo, null, HubCli.Timeout, "deadletters", "list", "orders");
        Assert.Equal(1, wrongTopic.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("0 dead letters in orders; 3 record(s) there have no dead-letter headers", wrongTopic.Errors);

        var replay = await HubCli.RunAsync(silo, null, HubCli.Timeout, "deadletters", "replay", "orders.dlq");
        Assert.Contains("replayed 2 dead letters from orders.dlq; progress stored in group 'hub-deadletters-replay.orders.dlq'", replay.Errors);
        // Each is back in its partition, as it was: key, value, headers (without the dead-letter ones) and timestamp.
        var partition1 = await SdkValues.ReadRecordsAsync(client, "orders", 1, 2, Bound);
        Assert.Equal(("k2", "bad-1", 1_700_000_000_000L), (Text(partition1[1].Key), Text(partition1[1].Value), partition1[1].Timestamp));
        Assert.Equal([("trace", "t-2")], partition1[1].DecodeHeaders().Select(h => (h.Key, Text(h.Value))));
        Assert.Equal(["ok", "bad-2", "bad-2"], (await SdkValues.ReadRecordsAsync(client, "orders", 0, 3, Bound)).Select(r => Text(r.Value)));

        // A second replay starts where the first stopped: nothing is sent twice.
        var again = await HubCli.RunAsync(silo, null, HubCli.Timeout, "deadletters", "replay", "orders.dlq");
        Assert.Contains("replayed 0 dead letters", again.Errors);
        Assert.Equal(5, await DeadLetterTopic.RecordCountAsync(client, "orders"));

        // Elsewhere, from an offset, a number of them, under another group.
        var elsewhere = await HubCli.RunAsync(silo, null, HubCli.Timeout, "deadletters", "replay", "orders.dlq", "--to", "orders-retry", "--from-offset", "1", "--count", "1", "--group", "retry");
        Assert.Contains("replayed 1 dead letters", elsewhere.Errors);
        Assert.Equal(["bad-2"], (await SdkValues.ReadRecordsAsync(client, "orders-retry", 0, 1, Bound)).Select(r => Text(r.Value)));
        Assert.Equal(2, (await client.Admin.DescribeGroupAsync("retry")).Partitions.Single().CommittedOffset);
    }

    private static ProducerRecord Order(string key, string value, int partition) =>
        new() { Key = Encoding.UTF8.GetBytes(key), Value = Encoding.UTF8.GetBytes(value), Partition = partition };

    /// <summary>Reads a partition of orders through a <see cref="DeadLetterHandler"/> whose handler refuses "bad-*" values.</summary>
    private static async Task DeadLetterBadOrdersAsync(HubClient client, int partition, int count)
    {
        using var timeout = new CancellationTokenSource(Bound);
        await using var handler = new DeadLetterHandler(client, new DeadLetterPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.Zero });
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAsync("orders", partition, OffsetSpec.Earliest, timeout.Token);
        var settled = 0;
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            await handler.ProcessAsync(result, (r, _) =>
            {
                var value = Text(r.Record.Value?.ToArray())!;
                return value.StartsWith("bad") ? throw new FormatException($"bad order {value}") : Task.CompletedTask;
            }, timeout.Token);
            if (++settled == count) break;
        }
    }

    private static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
