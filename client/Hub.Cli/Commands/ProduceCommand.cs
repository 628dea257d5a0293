using System.CommandLine;
using System.Text;
using Hub.Batches;
using Hub.Cli.CommandLine;
using Hub.Cli.Producing;
using Hub.Client;
using static Hub.Cli.CommandLine.CommonOptions;

namespace Hub.Cli.Commands;

/// <summary><c>hub produce TOPIC</c>: every line of stdin becomes a record.</summary>
public static class ProduceCommand
{
    public static Command Create(HubCommandRunner hub)
    {
        var topicArgument = TopicArgument();
        var keySeparator = new Option<string?>("--key-separator") { Description = "Text before the first SEP on a line is the record's key" };
        var partition = PartitionOption("Send every record to this partition instead of choosing by key");
        var acks = AcksOption();
        var compression = CompressionOption();
        var headers = KeyValueArguments.CreateOption("--header", "A header added to every record, as key=value; repeatable");
        var command = new Command("produce", "Send each line of stdin (UTF-8) to a topic as one record")
        {
            topicArgument, keySeparator, partition, acks, compression, headers,
        };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(topicArgument);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                var description = await client.Admin.DescribeTopicAsync(topic, cancel);
                var target = parse.GetValue(partition);
                if (target is { } only) TopicPartitions.Check(description, only);
                RecordHeader[] given = [.. parse.GetRequiredValue(headers).Select(h => new RecordHeader(h.Key, Encoding.UTF8.GetBytes(h.Value)))];
                var recordHeaders = given.Length > 0 ? given : null;

                await using var producer = client.CreateProducer(new ProducerOptions
                {
                    Acks = parse.GetValue(acks),
                    CompressionType = parse.GetValue(compression),
                });
                var failures = new DeliveryFailures();
                var sent = await SendLinesAsync(producer, topic, parse.GetValue(keySeparator), recordHeaders, target, failures, cancel);
                await ProducerFlush.FlushAsync(producer, cancel);

                Console.Error.WriteLine($"{sent - failures.Count} records to {topic}");
                if (failures.First is { } error)
                    return HubCommandRunner.Fail($"{failures.Count} of {sent} records were not delivered: {error.Message}");
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>Sends lines until stdin ends or Ctrl-C; returns how many were handed to the producer.</summary>
    private static async Task<long> SendLinesAsync(HubProducer producer, string topic, string? keySeparator,
        IReadOnlyList<RecordHeader>? headers, int? partition, DeliveryFailures failures, CancellationToken ct)
    {
        using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
        Action<RecordMetadata?, Exception?> onDelivery = (_, error) =>
        {
            if (error is not null) failures.Add(error);
        };
        long sent = 0;
        try
        {
            while (await ReadLineAsync(input, ct) is { } line)
            {
                producer.Produce(topic, LineRecord.ToRecord(line, keySeparator, headers, partition), onDelivery);
                sent++;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C: stop reading; what was read is still flushed.
        }
        return sent;
    }

    /// <summary>
    /// A console read can't be cancelled once blocked, so on Ctrl-C this stops waiting for it instead,
    /// leaving the abandoned read to die with the process.
    /// </summary>
    private static async ValueTask<string?> ReadLineAsync(StreamReader input, CancellationToken ct)
    {
        var read = input.ReadLineAsync(ct);
        return read.IsCompleted ? read.Result : await read.AsTask().WaitAsync(ct);
    }
}
