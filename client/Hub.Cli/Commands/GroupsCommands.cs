using System.CommandLine;
using System.Globalization;
using Hub.Cli.CommandLine;
using Hub.Client;
using static Hub.Cli.CommandLine.CommonOptions;

namespace Hub.Cli.Commands;

/// <summary><c>hub groups list|describe|reset-offsets|delete-offsets|delete</c>, after Kafka's kafka-consumer-groups tool.</summary>
public static class GroupsCommands
{
    public static Command Create(HubCommandRunner hub)
    {
        var groups = new Command("groups", "List, describe, reset and delete consumer groups");
        groups.Subcommands.Add(ListGroups(hub));
        groups.Subcommands.Add(DescribeGroup(hub));
        groups.Subcommands.Add(ResetOffsets(hub));
        groups.Subcommands.Add(DeleteOffsets(hub));
        groups.Subcommands.Add(DeleteGroup(hub));
        return groups;
    }

    private static Argument<string> GroupArgument() => new("group") { Description = "Consumer group id" };

    private static Command ListGroups(HubCommandRunner hub)
    {
        var command = new Command("list", "List consumer groups with their states");
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            var table = new TextTable("GROUP", "STATE", "PROTOCOL-TYPE");
            foreach (var group in await client.Admin.ListGroupsAsync(cancel))
                table.Add(group.GroupId, group.State.ToString(), group.ProtocolType);
            table.WriteTo(Console.Out);
            return 0;
        }, ct));
        return command;
    }

    private static Command DescribeGroup(HubCommandRunner hub)
    {
        var name = GroupArgument();
        var command = new Command("describe", "Show a group's members, and per partition the committed offset, log end and lag") { name };
        command.SetAction((parse, ct) =>
        {
            var group = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, null, async (client, cancel) =>
            {
                Print(await client.Admin.DescribeGroupAsync(group, cancel));
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command ResetOffsets(HubCommandRunner hub)
    {
        var name = GroupArgument();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic whose offsets to reset", Required = true };
        var partition = PartitionOption("Reset only this partition (default: all of the topic's)");
        var toEarliest = new Option<bool>("--to-earliest") { Description = "Each partition's earliest retained offset" };
        var toLatest = new Option<bool>("--to-latest") { Description = "Each partition's end (skip everything written so far)" };
        var toDatetime = new Option<DateTimeOffset?>("--to-datetime")
        {
            Description = "The first record at or after this time, e.g. 2026-01-31T12:00:00Z (UTC unless an offset is given)",
            HelpName = "time",
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time;
                result.AddError($"--to-datetime: '{text}' is not a date and time");
                return null;
            },
        };
        var toOffset = NonNegative(new Option<long?>("--to-offset") { Description = "This offset (moved into each partition's retained range)" });
        var execute = new Option<bool>("--execute") { Description = "Store the new offsets; without it, only show them" };
        var command = new Command("reset-offsets", "Move an inactive group's committed offsets; a dry run unless --execute")
        {
            name, topic, partition, toEarliest, toLatest, toDatetime, toOffset, execute,
        };
        command.Validators.Add(result =>
        {
            var targets = new[] { result.GetValue(toEarliest), result.GetValue(toLatest), result.GetValue(toDatetime) is not null, result.GetValue(toOffset) is not null };
            if (targets.Count(t => t) != 1)
                result.AddError("give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset");
        });
        command.SetAction((parse, ct) =>
        {
            var group = parse.GetRequiredValue(name);
            var topicName = parse.GetRequiredValue(topic);
            OffsetResetTarget target = parse.GetValue(toEarliest) ? OffsetResetTarget.Earliest
                : parse.GetValue(toLatest) ? OffsetResetTarget.Latest
                : parse.GetValue(toDatetime) is { } time ? OffsetResetTarget.ToTimestamp(time)
                : OffsetResetTarget.ToOffset(parse.GetValue(toOffset)!.Value);
            var dryRun = !parse.GetValue(execute);
            return hub.RunAsync(parse, topicName, async (client, cancel) =>
            {
                IReadOnlyCollection<int>? partitions = parse.GetValue(partition) is { } only ? [only] : null;
                var offsets = await client.Admin.ResetOffsetsAsync(group, topicName, target, partitions, dryRun, cancel);
                var table = new TextTable("TOPIC", "PARTITION", "NEW-OFFSET");
                foreach (var offset in offsets) table.Add(offset.Topic, offset.Partition.ToString(), offset.Offset.ToString());
                table.WriteTo(Console.Out);
                Console.Error.WriteLine(dryRun
                    ? "dry run: nothing was changed; add --execute to store these offsets"
                    : $"reset {offsets.Count} offset(s) of group '{group}' to {target}");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command DeleteOffsets(HubCommandRunner hub)
    {
        var name = GroupArgument();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic whose committed offsets go", Required = true };
        var partition = PartitionOption("Delete only this partition's offset (default: all of the topic's)");
        var command = new Command("delete-offsets", "Delete a group's committed offsets of a topic no member subscribes to") { name, topic, partition };
        command.SetAction((parse, ct) =>
        {
            var group = parse.GetRequiredValue(name);
            var topicName = parse.GetRequiredValue(topic);
            return hub.RunAsync(parse, topicName, async (client, cancel) =>
            {
                IReadOnlyCollection<int>? partitions = parse.GetValue(partition) is { } only ? [only] : null;
                await client.Admin.DeleteOffsetsAsync(group, topicName, partitions, cancel);
                Console.WriteLine($"deleted the committed offsets of group '{group}' for topic '{topicName}'{(partitions is null ? "" : $" partition {partitions.First()}")}");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command DeleteGroup(HubCommandRunner hub)
    {
        var name = GroupArgument();
        var command = new Command("delete", "Delete an inactive group and its committed offsets") { name };
        command.SetAction((parse, ct) =>
        {
            var group = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, null, async (client, cancel) =>
            {
                await client.Admin.DeleteGroupAsync(group, cancel);
                Console.WriteLine($"deleted group '{group}'");
                return 0;
            }, ct);
        });
        return command;
    }

    private static void Print(ConsumerGroupDescription group)
    {
        var protocol = group.Protocol.Length > 0 ? $"{group.ProtocolType}/{group.Protocol}" : group.ProtocolType;
        Console.WriteLine($"Group: {group.GroupId}  State: {group.State}  Protocol: {(protocol.Length > 0 ? protocol : "-")}  " +
            $"Generation: {group.GenerationId}  Members: {group.Members.Count}");
        Console.WriteLine();
        var members = group.Members.ToDictionary(m => m.MemberId);
        var partitions = new TextTable("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
        foreach (var p in group.Partitions)
        {
            var member = p.MemberId is { } id ? members.GetValueOrDefault(id) : null;
            partitions.Add(p.Topic, p.Partition.ToString(), Show(p.CommittedOffset), Show(p.LogEndOffset), Show(p.Lag),
                p.MemberId ?? "-", member?.ClientHost ?? "-", member?.ClientId ?? "-");
        }
        partitions.WriteTo(Console.Out);
        if (group.Members.Count == 0) return;
        Console.WriteLine();
        var table = new TextTable("CONSUMER-ID", "INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT");
        foreach (var member in group.Members)
        {
            var assignment = string.Join(" ", member.Assignment.GroupBy(p => p.Topic).Select(t => $"{t.Key}({string.Join(",", t.Select(p => p.Partition))})"));
            table.Add(member.MemberId, member.GroupInstanceId ?? "-", member.ClientHost, member.ClientId, member.Assignment.Count.ToString(),
                assignment.Length > 0 ? assignment : "-");
        }
        table.WriteTo(Console.Out);
    }

    private static string Show(long? value) => value?.ToString() ?? "-";
}
