using System.CommandLine;
using System.Globalization;
using Hub.Cli.CommandLine;
using Hub.Cli.Consuming;
using Hub.Client;
using Hub.Errors;
using Hub.Partitions;
using static Hub.Cli.CommandLine.CommonOptions;

namespace Hub.Cli.Commands;

/// <summary>
/// <c>hub deadletters list|replay</c>: what a dead-letter topic holds (see <see cref="DeadLetterPolicy"/>), and sending
/// its events back to where they came from once the fault behind them is fixed.
/// </summary>
public static class DeadLettersCommands
{
    /// <summary>The replay's progress group when --group is not given: one per dead-letter topic.</summary>
    public const string ReplayGroupPrefix = "hub-deadletters-replay.";

    /// <summary>Longest error text shown in the list's table; the full text is in the record's headers.</summary>
    private const int ErrorColumnChars = 80;

    public static Command Create(HubCommandRunner hub)
    {
        var command = new Command("deadletters", "List and replay dead-letter topics (events a consumer failed on)");
        command.Subcommands.Add(List(hub));
        command.Subcommands.Add(Replay(hub));
        return command;
    }

    private static Argument<string> DeadLetterTopicArgument() => new("dlq-topic") { Description = "Dead-letter topic, e.g. orders.dlq" };

    private static Command List(HubCommandRunner hub)
    {
        var topicArgument = DeadLetterTopicArgument();
        var command = new Command("list", "Show each dead letter: where its event came from, how often it failed, the last error and when") { topicArgument };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(topicArgument);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                var table = new TextTable("PARTITION", "OFFSET", "SOURCE-TOPIC", "SOURCE-PARTITION", "SOURCE-OFFSET", "ATTEMPTS", "FAILED-AT", "ERROR");
                var count = 0;
                var notDeadLetters = 0;
                await ReadAsync(client, topic, _ => OffsetSpec.Earliest, long.MaxValue, (partition, offset, letter) =>
                {
                    // A record no dead-letter policy wrote (the wrong topic given, or one produced by hand) is not
                    // listed as a dead letter of unknown origin, only counted.
                    if (letter.SourceTopic is null)
                    {
                        notDeadLetters++;
                        return;
                    }
                    table.Add(Show(partition), Show(offset), letter.SourceTopic, Show(letter.SourcePartition), Show(letter.SourceOffset),
                        Show(letter.Attempts), letter.FailedAt?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? "-",
                        Error(letter));
                    count++;
                }, cancel);
                table.WriteTo(Console.Out);
                Console.Error.WriteLine(notDeadLetters == 0
                    ? $"{count} dead letters in {topic}"
                    : $"{count} dead letters in {topic}; {notDeadLetters} record(s) there have no dead-letter headers (hub.dlq.*) and are not listed");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command Replay(HubCommandRunner hub)
    {
        var topicArgument = DeadLetterTopicArgument();
        var to = new Option<string?>("--to") { Description = "Produce every event to this topic (default: each to the topic and partition it came from)" };
        var fromOffset = NonNegative(new Option<long?>("--from-offset") { Description = "Start at this offset of each dead-letter partition (default: where the group's replay stopped, else the beginning)" });
        var count = Positive(new Option<long?>("--count") { Description = "Replay at most this many dead letters" });
        var group = new Option<string?>("--group") { Description = $"Consumer group that records how far the replay got (default: {ReplayGroupPrefix}<dlq-topic>)" };
        var command = new Command("replay", "Produce dead letters again (original key, value, headers and timestamp), recording progress so a second replay repeats none")
        {
            topicArgument, to, fromOffset, count, group,
        };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(topicArgument);
            var groupId = parse.GetValue(group) ?? ReplayGroupPrefix + topic;
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                var committed = parse.GetValue(fromOffset) is { } from ? null : await CommittedAsync(client, groupId, topic, cancel);
                var replay = new DeadLetterReplay(client, parse.GetValue(to));
                try
                {
                    await ReadAsync(client, topic, partition => parse.GetValue(fromOffset) ?? committed?.GetValueOrDefault(partition) ?? OffsetSpec.Earliest,
                        parse.GetValue(count) ?? long.MaxValue, replay.Send, cancel);
                }
                finally
                {
                    // What was sent is awaited and its progress stored even after Ctrl-C: a later replay starts behind it.
                    await replay.FinishAsync(groupId, topic);
                }
                Console.Error.WriteLine($"replayed {replay.Replayed} dead letters from {topic}; progress stored in group '{groupId}'");
                return replay.Failures.Count == 0 ? 0 : HubCommandRunner.Fail(
                    $"{replay.Failures.Count} dead letter(s) were not replayed, first: {replay.Failures[0]}; the group's progress stops before them");
            }, ct);
        });
        return command;
    }

    /// <summary>Reads the dead-letter topic's partitions from <paramref name="start"/> up to the end they had at the start.</summary>
    private static async Task ReadAsync(HubClient client, string topic, Func<int, long> start, long max,
        Action<int, long, DeadLetter> onDeadLetter, CancellationToken ct)
    {
        var description = await client.Admin.DescribeTopicAsync(topic, ct);
        await using var consumer = client.CreateConsumer();
        var tracker = new CatchUpTracker();
        foreach (var partition in Enumerable.Range(0, description.Metadata.PartitionCount))
        {
            await consumer.AssignAsync(topic, partition, start(partition), ct);
            tracker.Add(partition, consumer.Position(topic, partition), description.Partitions[partition].HighWatermark);
        }
        long read = 0;
        await ConsumeLoop.RunAsync(consumer, topic, tracker, result =>
        {
            onDeadLetter(result.Partition, result.Record.Offset, DeadLetter.Read(result.Record));
            return ++read < max;
        }, () => Task.CompletedTask, ct);
    }

    private static async Task<Dictionary<int, long>?> CommittedAsync(HubClient client, string groupId, string topic, CancellationToken ct)
    {
        try
        {
            var group = await client.Admin.DescribeGroupAsync(groupId, ct);
            return group.Partitions.Where(p => p.Topic == topic && p.CommittedOffset is not null).ToDictionary(p => p.Partition, p => p.CommittedOffset!.Value);
        }
        catch (HubException e) when (e.Code == ErrorCode.GroupIdNotFound)
        {
            return null;
        }
    }

    private static string Error(DeadLetter letter)
    {
        var text = letter.ErrorType is null && letter.ErrorMessage is null ? "-" : $"{letter.ErrorType ?? "-"}: {letter.ErrorMessage ?? ""}".ReplaceLineEndings(" ");
        return text.Length <= ErrorColumnChars ? text : text[..(ErrorColumnChars - 3)] + "...";
    }

    private static string Show<T>(T? value) where T : struct => value?.ToString() ?? "-";

    private static string Show<T>(T value) where T : struct => value.ToString()!;
}
