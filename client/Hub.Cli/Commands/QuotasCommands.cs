using System.CommandLine;
using System.Globalization;
using Hub.Cli.CommandLine;
using Hub.Client;
using Hub.Quotas;

namespace Hub.Cli.Commands;

/// <summary><c>hub quotas list|set|delete</c>: Kafka's client quotas, per user and/or client id ('&lt;default&gt;' for the default).</summary>
public static class QuotasCommands
{
    public static Command Create(HubCommandRunner hub)
    {
        var quotas = new Command("quotas", "List, set and delete client quotas (producer_byte_rate, consumer_byte_rate, request_percentage)");
        quotas.Subcommands.Add(List(hub));
        quotas.Subcommands.Add(Set(hub));
        quotas.Subcommands.Add(Delete(hub));
        return quotas;
    }

    private static Command List(HubCommandRunner hub)
    {
        var command = new Command("list", "List every client quota");
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            var table = new TextTable("USER", "CLIENT-ID", "QUOTA", "VALUE");
            foreach (var quota in (await client.Admin.DescribeClientQuotasAsync(cancel)).OrderBy(q => q.Entity.ToString(), StringComparer.Ordinal))
            {
                foreach (var (key, value) in quota.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
                    table.Add(quota.Entity.User ?? "", quota.Entity.ClientId ?? "", key, value.ToString(CultureInfo.InvariantCulture));
            }
            table.WriteTo(Console.Out);
            return 0;
        }, ct));
        return command;
    }

    private static Command Set(HubCommandRunner hub)
    {
        var values = KeyValueArguments.CreateOption("--quota", "A quota as key=value (producer_byte_rate=1048576, ...); repeatable");
        return EntityCommand(hub, "set", "Set quota values of a user, a client id, or a user's client id", values, async (parse, entity, client, cancel) =>
        {
            var ops = KeyValueArguments.ToDictionary(parse.GetRequiredValue(values), "quota")
                .Select(v => new ClientQuotaOp(v.Key, double.TryParse(v.Value, CultureInfo.InvariantCulture, out var number) ? number
                    : throw new CliException($"quota {v.Key}: '{v.Value}' is not a number"))).ToArray();
            if (ops.Length == 0) throw new CliException("give at least one --quota key=value");
            await client.Admin.AlterClientQuotasAsync([new ClientQuotaAlteration(entity, ops)], cancel);
            Console.WriteLine($"set {string.Join(", ", ops.Select(o => $"{o.Key}={o.Value.ToString(CultureInfo.InvariantCulture)}"))} for {entity}");
        });
    }

    private static Command Delete(HubCommandRunner hub)
    {
        var keys = new Option<string[]>("--quota") { Description = "A quota key to remove; repeatable (default: every quota of the entity)", Arity = ArgumentArity.ZeroOrMore };
        return EntityCommand(hub, "delete", "Remove quota values of a user, a client id, or a user's client id", keys, async (parse, entity, client, cancel) =>
        {
            var removed = parse.GetValue(keys) is { Length: > 0 } named ? named : ClientQuotaKeys.All.ToArray();
            await client.Admin.AlterClientQuotasAsync([new ClientQuotaAlteration(entity, removed.Select(k => new ClientQuotaOp(k, 0, Remove: true)).ToArray())], cancel);
            Console.WriteLine($"removed {string.Join(", ", removed)} for {entity}");
        });
    }

    /// <summary>A command on one entity, named by --user and/or --client-id, with one more option of its own.</summary>
    private static Command EntityCommand(HubCommandRunner hub, string name, string description, Option option,
        Func<ParseResult, ClientQuotaEntity, HubClient, CancellationToken, Task> run)
    {
        var user = new Option<string?>("--user") { Description = $"The user the quota applies to ('{ClientQuotaEntity.Default}': every user without one of its own)" };
        var clientId = new Option<string?>("--client-id") { Description = $"The client id the quota applies to ('{ClientQuotaEntity.Default}': every client id without one of its own)" };
        var command = new Command(name, description) { user, clientId, option };
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            await run(parse, Entity(parse.GetValue(user), parse.GetValue(clientId)), client, cancel);
            return 0;
        }, ct));
        return command;
    }

    private static ClientQuotaEntity Entity(string? user, string? clientId) =>
        user is null && clientId is null ? throw new CliException("name a --user, a --client-id or both") : new ClientQuotaEntity(user, clientId);
}
