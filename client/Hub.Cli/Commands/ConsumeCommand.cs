using System.CommandLine;
using Hub.Cli.CommandLine;
using Hub.Cli.Consuming;
using Hub.Client;
using Hub.Errors;
using Hub.Partitions;
using static Hub.Cli.CommandLine.CommonOptions;

namespace Hub.Cli.Commands;

/// <summary><c>hub consume TOPIC</c>: prints record values one per line.</summary>
public static class ConsumeCommand
{
    public static Command Create(HubCommandRunner hub)
    {
        var topicArgument = TopicArgument();
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at each partition's earliest record (default: only new records)" };
        var offset = NonNegative(new Option<long?>("--offset") { Description = "Start at this offset in each partition read" });
        var partition = PartitionOption("Read only this partition (default: all)");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep waiting for new records until Ctrl-C" };
        var maxRecords = Positive(new Option<long?>("--max-records") { Description = "Stop after this many records" });
        var printKey = new Option<bool>("--print-key") { Description = "Print each record's key before its value" };
        var printOffset = new Option<bool>("--print-offset") { Description = "Print partition:offset before each record" };
        var separator = new Option<string>("--key-separator")
        {
            Description = "Goes between the printed offset, key and value",
            DefaultValueFactory = _ => "\t",
        };
        var isolationLevel = IsolationLevelOption();
        var group = new Option<string?>("--group")
        {
            Description = "Read as a member of this consumer group: only its share of the partitions, from the group's committed " +
                "offsets (else from the end, or the beginning with --from-beginning), committing as it goes; until Ctrl-C or --max-records",
        };
        var command = new Command("consume", "Print a topic's records, one value per line; without --follow, stop at the end the topic had at the start")
        {
            topicArgument, fromBeginning, offset, partition, follow, maxRecords, printKey, printOffset, separator, isolationLevel, group,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(fromBeginning) && result.GetValue(offset) is not null)
                result.AddError("--from-beginning and --offset can't be used together");
            if (result.GetValue(group) is not null && (result.GetValue(offset) is not null || result.GetValue(partition) is not null))
                result.AddError("--group reads the partitions the group assigns, from its committed offsets: it can't be used with --offset or --partition");
        });
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(topicArgument);
            if (parse.GetValue(group) is { } groupId)
            {
                return hub.RunAsync(parse, topic, (client, cancel) => ConsumeAsGroupAsync(client, topic, groupId, parse.GetValue(fromBeginning),
                    parse.GetValue(isolationLevel),
                    parse.GetValue(maxRecords) ?? long.MaxValue,
                    output => new RecordPrinter(output, parse.GetValue(printKey), parse.GetValue(printOffset), parse.GetRequiredValue(separator)),
                    cancel), ct);
            }
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                var description = await client.Admin.DescribeTopicAsync(topic, cancel);
                var partitions = TopicPartitions.Select(description, parse.GetValue(partition));
                var start = parse.GetValue(offset) ?? (parse.GetValue(fromBeginning) ? OffsetSpec.Earliest : OffsetSpec.Latest);
                await using var consumer = client.CreateConsumer(PrintingConsumerOptions(parse.GetValue(isolationLevel)));
                var stopAtEnd = await ConsumeLoop.AssignAsync(consumer, description, partitions, start, !parse.GetValue(follow), cancel);

                await using var output = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024);
                var printer = new RecordPrinter(output, parse.GetValue(printKey), parse.GetValue(printOffset), parse.GetRequiredValue(separator));
                var max = parse.GetValue(maxRecords) ?? long.MaxValue;
                long printed = 0;
                await ConsumeLoop.RunAsync(consumer, topic, stopAtEnd,
                    result =>
                    {
                        printer.Print(result.Partition, result.Record);
                        return ++printed < max;
                    },
                    // Output is buffered for speed but must not sit in the buffer while we wait for more records.
                    () => output.FlushAsync(cancel),
                    cancel);
                await output.FlushAsync(CancellationToken.None);
                Console.Error.WriteLine($"{printed} records from {topic}");
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>
    /// Reads as a group member until Ctrl-C or <paramref name="max"/> records, then commits what it printed and
    /// leaves the group.
    /// </summary>
    private static async Task<int> ConsumeAsGroupAsync(HubClient client, string topic, string groupId, bool fromBeginning, IsolationLevel isolationLevel, long max,
        Func<Stream, RecordPrinter> printerFor, CancellationToken cancel)
    {
        await client.Admin.DescribeTopicAsync(topic, cancel); // an unknown topic fails here, with the runner's message
        await using var consumer = client.CreateGroupConsumer(new GroupConsumerOptions
        {
            GroupId = groupId,
            Topics = [topic],
            AutoOffsetReset = fromBeginning ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest,
            ClientId = "hub-cli",
            Fetch = PrintingConsumerOptions(isolationLevel),
        });
        await using var output = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024);
        var printer = printerFor(output);
        long printed = 0;
        var records = consumer.ConsumeAsync(cancel).GetAsyncEnumerator(cancel);
        try
        {
            while (printed < max)
            {
                var next = records.MoveNextAsync();
                // Output is buffered for speed but must not sit in the buffer while we wait for more records.
                if (!next.IsCompleted) await output.FlushAsync(cancel);
                if (!await next) break;
                printer.Print(records.Current.Partition, records.Current.Record);
                printed++;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl-C ends consuming normally.
        }
        finally
        {
            await records.DisposeAsync();
        }
        await output.FlushAsync(CancellationToken.None);
        try
        {
            await consumer.CommitAsync(CancellationToken.None); // everything printed counts as processed
        }
        catch (HubException e)
        {
            Console.Error.WriteLine($"warning: the last offsets were not committed: {e.Message}");
        }
        Console.Error.WriteLine($"{printed} records from {topic} as a member of group '{groupId}'");
        return 0;
    }
}
