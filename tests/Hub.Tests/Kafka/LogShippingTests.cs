using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>
/// Log shipping, a seed use case (issue 20): rsyslog's omkafka and syslog-ng's Kafka destination, run as their users
/// run them (Debian's packages, their own configuration), deliver every line of a log file to a topic exactly once.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class LogShippingTests(KafkaCluster kafka)
{
    // Issue 20's count: a thousand numbered lines, each checked, so one lost or doubled line fails the test.
    private const int Lines = 1000;

    // Reading, batching and producing a few hundred short lines takes well under a second; a loaded 2-core machine is slower.
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    [RsyslogFact]
    public Task Rsyslog_omkafka_delivers_every_line_of_a_file_exactly_once() => AssertEveryLineOnceAsync("rsyslog", Rsyslog.ShipFile);

    [SyslogNgFact]
    public Task Syslog_ng_kafka_destination_delivers_every_line_of_a_file_exactly_once() => AssertEveryLineOnceAsync("syslog-ng", SyslogNg.ShipFile);

    /// <summary>Writes the log file, starts the shipper on it (directory, file, bootstrap, topic) and checks what reached the topic.</summary>
    private async Task AssertEveryLineOnceAsync(string name, Func<string, string, string, string, BackgroundProcess> ship)
    {
        var topic = KafkaCluster.NewTopic(name);
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 1);
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "app.log");
        var lines = Enumerable.Range(1, Lines).Select(i => $"line {i:D4} of the application log").ToList();
        await File.WriteAllLinesAsync(file, lines[..(Lines / 2)]);

        await using var shipper = ship(directory.Path, file, kafka.Bootstrap, topic);
        // The second half is written once the first arrived: the shipper follows the file as it grows, as it tails a live log.
        await ReadAsync(name, shipper, topic, Lines / 2);
        await File.AppendAllLinesAsync(file, lines[(Lines / 2)..]);
        var values = await ReadAsync(name, shipper, topic, Lines);
        // Stopped, it produces nothing more: whatever the topic holds now is all it delivered.
        Assert.True(await shipper.StopAsync() == 0, $"{name} did not stop cleanly:\n{shipper.Output}");

        Assert.Equal(lines, values.Order(StringComparer.Ordinal));
        Assert.Equal(Lines, (await kafka.StoredBatchesAsync(topic)).Sum(b => b.RecordCount));
    }

    /// <summary>The topic's first <paramref name="count"/> values; on a timeout, what the shipper said.</summary>
    private async Task<List<string>> ReadAsync(string name, BackgroundProcess shipper, string topic, int count)
    {
        try
        {
            return await SdkValues.ReadAsync(kafka.Cluster.Client, topic, count, DeliveryTimeout);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} did not deliver {count} lines within {DeliveryTimeout}:\n{shipper.Output}");
        }
    }
}
