using System.CommandLine;
using System.Globalization;
using Hub.Cli.CommandLine;
using Hub.Transactions;
using static Hub.Cli.CommandLine.CommonOptions;

namespace Hub.Cli.Commands;

/// <summary><c>hub transactions list|describe|producers</c>, after Kafka's kafka-transactions tool.</summary>
public static class TransactionsCommands
{
    public static Command Create(HubCommandRunner hub)
    {
        var transactions = new Command("transactions", "List and describe Kafka transactions and the producers partitions remember");
        transactions.Subcommands.Add(List(hub));
        transactions.Subcommands.Add(Describe(hub));
        transactions.Subcommands.Add(Producers(hub));
        return transactions;
    }

    private static Command List(HubCommandRunner hub)
    {
        var states = string.Join("|", Enum.GetNames<TransactionStatus>());
        var state = new Option<TransactionStatus?>("--state")
        {
            HelpName = states,
            Description = "Only transactional ids in this state (Kafka's names, any case)",
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                if (Enum.TryParse<TransactionStatus>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)) return parsed;
                result.AddError($"--state must be one of {states.Replace("|", ", ")}, not '{text}'");
                return null;
            },
        };
        var command = new Command("list", "List every transactional id with its producer and state") { state };
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            var only = parse.GetValue(state);
            var table = new TextTable("TRANSACTIONAL-ID", "PRODUCER-ID", "EPOCH", "STATE");
            foreach (var transaction in await client.Transactions.ListAsync(cancel))
            {
                if (only is { } wanted && transaction.State != wanted) continue;
                table.Add(transaction.TransactionalId, Show(transaction.ProducerId), Show(transaction.ProducerEpoch), transaction.State.ToString());
            }
            table.WriteTo(Console.Out);
            return 0;
        }, ct));
        return command;
    }

    private static Command Describe(HubCommandRunner hub)
    {
        var id = new Argument<string>("transactional-id") { Description = "The producer's transactional.id" };
        var command = new Command("describe", "Show a transactional id's producer, state, timeout and the partitions of its current transaction") { id };
        command.SetAction((parse, ct) =>
        {
            var transactionalId = parse.GetRequiredValue(id);
            return hub.RunAsync(parse, null, async (client, cancel) =>
            {
                var transaction = await client.Transactions.DescribeAsync(transactionalId, cancel);
                var table = new TextTable("TRANSACTIONAL-ID", "PRODUCER-ID", "EPOCH", "STATE", "TIMEOUT-MS", "START-TIME", "DURATION-MS", "PARTITIONS");
                var started = transaction.StartedMs >= 0 ? DateTimeOffset.FromUnixTimeMilliseconds(transaction.StartedMs) : (DateTimeOffset?)null;
                var partitions = string.Join(",", transaction.Partitions.Select(p => p.ToString()));
                table.Add(transaction.TransactionalId, Show(transaction.ProducerId), Show(transaction.ProducerEpoch), transaction.State.ToString(),
                    Show(transaction.TimeoutMs), started is { } at ? Time(at) : "-",
                    started is { } since ? Show((long)(DateTimeOffset.UtcNow - since).TotalMilliseconds) : "-",
                    partitions.Length > 0 ? partitions : "-");
                table.WriteTo(Console.Out);
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command Producers(HubCommandRunner hub)
    {
        var topic = TopicArgument();
        var partition = PartitionOption("Only this partition (default: all of the topic's)");
        var command = new Command("producers", "Show the idempotent and transactional producers each partition's leader remembers") { topic, partition };
        command.SetAction((parse, ct) =>
        {
            var topicName = parse.GetRequiredValue(topic);
            return hub.RunAsync(parse, topicName, async (client, cancel) =>
            {
                IReadOnlyCollection<int>? only = parse.GetValue(partition) is { } one ? [one] : null;
                var table = new TextTable("PARTITION", "PRODUCER-ID", "EPOCH", "LAST-SEQUENCE", "LAST-APPEND", "TXN-START-OFFSET");
                foreach (var (index, producers) in await client.Transactions.DescribeProducersAsync(topicName, only, cancel))
                {
                    foreach (var producer in producers)
                    {
                        table.Add(Show(index), Show(producer.ProducerId), Show(producer.Epoch), Show(producer.LastSequence),
                            Time(DateTimeOffset.FromUnixTimeMilliseconds(producer.LastAppendMs)),
                            producer.TransactionStartOffset >= 0 ? Show(producer.TransactionStartOffset) : "-");
                    }
                }
                table.WriteTo(Console.Out);
                return 0;
            }, ct);
        });
        return command;
    }

    private static string Show(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
