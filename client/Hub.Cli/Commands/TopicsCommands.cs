using System.CommandLine;
using Hub.Cli.CommandLine;
using Hub.Client;
using Hub.Topics;
using static Hub.Cli.CommandLine.CommonOptions;

namespace Hub.Cli.Commands;

/// <summary><c>hub topics create|list|describe|alter|delete|add-partitions|delete-records|elect-leaders</c>.</summary>
public static class TopicsCommands
{
    public static Command Create(HubCommandRunner hub)
    {
        var topics = new Command("topics", "Create, list, describe, alter and delete topics");
        topics.Subcommands.Add(CreateTopic(hub));
        topics.Subcommands.Add(ListTopics(hub));
        topics.Subcommands.Add(DescribeTopic(hub));
        topics.Subcommands.Add(AlterTopic(hub));
        topics.Subcommands.Add(DeleteTopic(hub));
        topics.Subcommands.Add(AddPartitions(hub));
        topics.Subcommands.Add(DeleteRecords(hub));
        topics.Subcommands.Add(ElectLeaders(hub));
        return topics;
    }

    private static Command CreateTopic(HubCommandRunner hub)
    {
        var name = TopicArgument();
        var partitions = Positive(new Option<int>("--partitions", "-p") { Description = "Number of partitions", DefaultValueFactory = _ => 1 });
        var replicas = new Option<short>("--replication-factor", "-r") { Description = "Copies of each partition on distinct brokers (default: min(3, brokers))", DefaultValueFactory = _ => -1 };
        var configs = KeyValueArguments.CreateOption("--config", "A topic config as name=value (retention.ms, segment.bytes, ...); repeatable");
        var command = new Command("create", "Create a topic") { name, partitions, replicas, configs };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, null, async (client, cancel) =>
            {
                var settings = KeyValueArguments.ToDictionary(parse.GetRequiredValue(configs), "config");
                var created = await client.Admin.CreateTopicAsync(topic, parse.GetValue(partitions), settings, cancel, parse.GetValue(replicas));
                Console.WriteLine($"created topic '{created.Name}' with {created.PartitionCount} partition(s), {created.Partitions[0].Replicas.Length} replica(s) each");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command ListTopics(HubCommandRunner hub)
    {
        var command = new Command("list", "List topics with their partition counts");
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            var topics = await client.Admin.ListTopicsAsync(cancel);
            var table = new TextTable("TOPIC", "PARTITIONS");
            foreach (var topic in topics.OrderBy(t => t.Name, StringComparer.Ordinal))
                table.Add(topic.Name, topic.PartitionCount.ToString());
            table.WriteTo(Console.Out);
            return 0;
        }, ct));
        return command;
    }

    private static Command DescribeTopic(HubCommandRunner hub)
    {
        var name = TopicArgument();
        var command = new Command("describe", "Show a topic's partitions (offsets, size, segments) and configs") { name };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                var description = await client.Admin.DescribeTopicAsync(topic, cancel);
                Print(description);
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>After Kafka's kafka-delete-records, with the offset on the command line rather than in a JSON file.</summary>
    private static Command DeleteRecords(HubCommandRunner hub)
    {
        var name = TopicArgument();
        var before = new Option<long>("--before")
        {
            Description = "Delete the records below this offset: the partition's log start moves there (-1: the high watermark, every record)",
            Required = true,
        };
        var partition = PartitionOption("Delete only in this partition (default: all of the topic's)");
        var command = new Command("delete-records", "Delete a topic's oldest records, up to an offset, for good") { name, before, partition };
        command.Validators.Add(result =>
        {
            if (result.GetValue(before) < -1) result.AddError("--before must be an offset, or -1 for the high watermark");
        });
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                IReadOnlyCollection<int>? partitions = parse.GetValue(partition) is { } only ? [only] : null;
                var starts = await client.Admin.DeleteRecordsAsync(topic, parse.GetValue(before), partitions, cancel);
                var table = new TextTable("TOPIC", "PARTITION", "LOG-START");
                foreach (var (index, start) in starts) table.Add(topic, index.ToString(), start.ToString());
                table.WriteTo(Console.Out);
                return 0;
            }, ct);
        });
        return command;
    }

    /// <summary>After Kafka's kafka-leader-election: preferred by default, unclean only when asked.</summary>
    private static Command ElectLeaders(HubCommandRunner hub)
    {
        var name = TopicArgument();
        var partition = PartitionOption("Elect only in this partition (default: all of the topic's)");
        var unclean = new Option<bool>("--unclean")
        {
            Description = "Give a partition without a live leader its first live replica even if out of sync (acknowledged records may be lost)",
        };
        var command = new Command("elect-leaders", "Move leadership back to preferred replicas, or elect uncleanly where no leader is left") { name, partition, unclean };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                IReadOnlyCollection<int>? partitions = parse.GetValue(partition) is { } only ? [only] : null;
                var results = await client.Admin.ElectLeadersAsync(topic, partitions, parse.GetValue(unclean), cancel);
                var table = new TextTable("TOPIC", "PARTITION", "RESULT");
                foreach (var result in results.OrderBy(r => r.Partition))
                    table.Add(result.Topic, result.Partition.ToString(), result.Error == Hub.Errors.ErrorCode.None ? "elected" : result.Error.ToString());
                table.WriteTo(Console.Out);
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command AlterTopic(HubCommandRunner hub)
    {
        var name = TopicArgument();
        var configs = KeyValueArguments.CreateOption("--config", "Set a topic config, as name=value (retention.ms, min.insync.replicas, ...); repeatable");
        var deletions = new Option<string[]>("--delete-config")
        {
            Description = "Take a topic config back to its default; repeatable",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => [],
        };
        var command = new Command("alter", "Change a topic's configs; every replica applies them at once, without a restart") { name, configs, deletions };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                var alterations = KeyValueArguments.ToDictionary(parse.GetRequiredValue(configs), "config")
                    .Select(c => new TopicConfigAlteration(c.Key, TopicConfigOperation.Set, c.Value))
                    .Concat(parse.GetRequiredValue(deletions).Select(key => new TopicConfigAlteration(key, TopicConfigOperation.Delete)))
                    .ToArray();
                if (alterations.Length == 0) throw new CliException("name at least one --config or --delete-config");
                await client.Admin.AlterTopicConfigAsync(topic, alterations, cancel);
                Console.WriteLine($"altered {alterations.Length} config(s) of topic '{topic}'");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command DeleteTopic(HubCommandRunner hub)
    {
        var name = TopicArgument();
        var command = new Command("delete", "Delete a topic and all its records") { name };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                await client.Admin.DeleteTopicAsync(topic, cancel);
                Console.WriteLine($"deleted topic '{topic}'");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command AddPartitions(HubCommandRunner hub)
    {
        var name = TopicArgument();
        var total = Positive(new Option<int>("--partitions", "-p") { Description = "The topic's new total number of partitions", Required = true });
        var command = new Command("add-partitions", "Grow a topic to more partitions (never fewer)") { name, total };
        command.SetAction((parse, ct) =>
        {
            var topic = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, topic, async (client, cancel) =>
            {
                await client.Admin.AddPartitionsAsync(topic, parse.GetValue(total), cancel);
                Console.WriteLine($"topic '{topic}' now has {parse.GetValue(total)} partitions");
                return 0;
            }, ct);
        });
        return command;
    }

    private static void Print(TopicDescription description)
    {
        var metadata = description.Metadata;
        Console.WriteLine($"Topic: {metadata.Name}  Id: {metadata.TopicId}  Partitions: {metadata.PartitionCount}  Created: {metadata.CreatedAt:u}");
        Console.WriteLine();
        var partitions = new TextTable("PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "LOG-START", "LOG-END", "HIGH-WATERMARK", "SIZE", "SEGMENTS", "CLEANED-TO");
        for (var p = 0; p < description.Partitions.Count; p++)
        {
            var assignment = metadata.Partitions[p];
            var state = description.Partitions[p];
            partitions.Add(p.ToString(), assignment.HasLeader ? assignment.Leader.ToString() : "none", assignment.LeaderEpoch.ToString(),
                string.Join(",", assignment.Replicas), string.Join(",", assignment.InSync),
                state.LogStartOffset.ToString(), state.LogEndOffset.ToString(), state.HighWatermark.ToString(),
                ByteSize.Format(state.SizeBytes), state.SegmentCount.ToString(), state.CleanedUpTo.ToString());
        }
        partitions.WriteTo(Console.Out);
        Console.WriteLine();
        // SOURCE as Kafka's config_source: set on the topic (at creation or by alter) or its default; unknown for a topic
        // stored before Hub kept which were set.
        var configs = new TextTable("CONFIG", "VALUE", "SOURCE");
        foreach (var (key, value) in TopicConfigEntries.Of(metadata))
            configs.Add(key, value, metadata.SetConfigs is not { } set ? "-" : set.ContainsKey(key) ? "topic" : "default");
        configs.WriteTo(Console.Out);
    }
}
