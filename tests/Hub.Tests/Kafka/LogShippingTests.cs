using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>
/// Log shipping, a seed use case (issue 20): rsyslog's omkafka and syslog-ng's Kafka destination, run as their users
/// run them (Debian's packages, their own configuration), deliver every line of a log file to a topic exactly once.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class LogShippingTests(KafkaCluster kafka)
{
    // Enough lines for the shippers' librdkafka to send several batches (its linger is 5 ms).
    private const int Lines = 1000;

    // Reading the file, batching and producing 1,000 short lines takes about a second; a loaded 2-core machine is slower.
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
        await File.WriteAllLinesAsync(file, lines);

        await using var shipper = ship(directory.Path, file, kafka.Bootstrap, topic);
        List<string> values;
        try
        {
            values = await SdkValues.ReadAsync(kafka.Cluster.Client, topic, Lines, DeliveryTimeout);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{name} did not deliver {Lines} lines within {DeliveryTimeout}:\n{shipper.Output}");
        }
        // Stopped, it produces nothing more: whatever the topic holds now is all it delivered.
        Assert.True(await shipper.StopAsync() == 0, $"{name} did not stop cleanly:\n{shipper.Output}");

        Assert.Equal(lines, values.Order(StringComparer.Ordinal));
        Assert.Equal(Lines, (await kafka.StoredBatchesAsync(topic)).Sum(b => b.RecordCount));
    }
}
