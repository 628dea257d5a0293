using System.CommandLine;
using Hub.Cli.CommandLine;
using Hub.Security;

namespace Hub.Cli.Commands;

/// <summary>
/// <c>hub acls list|create|delete</c>, after Kafka's kafka-acls tool: who may do what to which topics, groups and
/// transactional ids, and to the cluster.
/// </summary>
public static class AclsCommands
{
    private const string ClusterName = "kafka-cluster";

    public static Command Create(HubCommandRunner hub)
    {
        var acls = new Command("acls", "List, create and delete ACLs (checked when the silos run with Hub:Authorization:Enabled)");
        acls.Subcommands.Add(ListAcls(hub));
        acls.Subcommands.Add(CreateAcls(hub));
        acls.Subcommands.Add(DeleteAcls(hub));
        return acls;
    }

    /// <summary>The options naming a resource, shared by the three commands.</summary>
    private sealed class ResourceOptions
    {
        public Option<string?> Topic { get; } = new("--topic") { Description = "A topic (\"*\" for every topic)" };
        public Option<string?> Group { get; } = new("--group") { Description = "A consumer group (\"*\" for every group)" };
        public Option<string?> TransactionalId { get; } = new("--transactional-id") { Description = "A transactional id" };
        public Option<bool> Cluster { get; } = new("--cluster") { Description = "The cluster (creating topics, ACLs, users; idempotent producers)" };
        public Option<bool> Prefixed { get; } = new("--prefixed") { Description = "The name is a prefix: the ACL covers every resource whose name starts with it" };
        public Option<string?> Principal { get; } = new("--principal") { Description = "Who: User:alice, User:* (everyone), User:CN=client (a TLS client)" };
        public Option<string?> Host { get; } = new("--host") { Description = "From which IP address (default: any, \"*\")" };
        public Option<string[]> Operation { get; } = new("--operation")
        {
            Description = "read, write, create, delete, alter, describe, describe-configs, alter-configs, idempotent-write, all; repeatable",
        };
        public Option<bool> Deny { get; } = new("--deny") { Description = "Deny rather than allow (a deny wins over any allow)" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Topic, Group, TransactionalId, Cluster, Prefixed, Principal, Host, Operation, Deny }) command.Options.Add(option);
        }

        /// <summary>The one resource named, or null when none is.</summary>
        public (AclResourceType Type, string Name)? Resource(ParseResult parse)
        {
            var named = new List<(AclResourceType, string)>();
            if (parse.GetValue(Topic) is { } topic) named.Add((AclResourceType.Topic, topic));
            if (parse.GetValue(Group) is { } group) named.Add((AclResourceType.Group, group));
            if (parse.GetValue(TransactionalId) is { } transactionalId) named.Add((AclResourceType.TransactionalId, transactionalId));
            if (parse.GetValue(Cluster)) named.Add((AclResourceType.Cluster, ClusterName));
            return named.Count switch
            {
                0 => null,
                1 => named[0],
                _ => throw new CliException("name one resource: --topic, --group, --transactional-id or --cluster"),
            };
        }

        public List<AclOperation> Operations(ParseResult parse) => (parse.GetValue(Operation) ?? []).Select(ParseOperation).Distinct().ToList();

        public AclBindingFilter Filter(ParseResult parse)
        {
            var resource = Resource(parse);
            var operations = Operations(parse);
            if (operations.Count > 1) throw new CliException("a filter takes at most one --operation");
            return new AclBindingFilter(
                resource?.Type ?? AclResourceType.Any,
                resource?.Name,
                resource is null ? AclPatternType.Any : parse.GetValue(Prefixed) ? AclPatternType.Prefixed : AclPatternType.Literal,
                parse.GetValue(Principal),
                parse.GetValue(Host),
                operations.Count == 0 ? AclOperation.Any : operations[0],
                parse.GetValue(Deny) ? AclPermission.Deny : AclPermission.Any);
        }
    }

    private static AclOperation ParseOperation(string name) =>
        Enum.TryParse<AclOperation>(name.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var operation)
        && operation is not (AclOperation.Any or AclOperation.Unknown)
            ? operation
            : throw new CliException($"unknown operation '{name}'");

    private static Command ListAcls(HubCommandRunner hub)
    {
        var options = new ResourceOptions();
        var command = new Command("list", "List ACLs, every one or those on a resource (with --prefixed: ACLs with that prefix)");
        options.AddTo(command);
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            Print(await client.Acls.ListAsync(options.Filter(parse), cancel));
            return 0;
        }, ct));
        return command;
    }

    private static Command CreateAcls(HubCommandRunner hub)
    {
        var options = new ResourceOptions();
        var command = new Command("create", "Allow (or --deny) a principal operations on a resource");
        options.AddTo(command);
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            var resource = options.Resource(parse) ?? throw new CliException("name a resource: --topic, --group, --transactional-id or --cluster");
            var principal = parse.GetValue(options.Principal) ?? throw new CliException("name a --principal, e.g. User:alice");
            var operations = options.Operations(parse);
            if (operations.Count == 0) throw new CliException("name at least one --operation");
            var acls = operations.Select(operation => new AclBinding(resource.Type, resource.Name,
                parse.GetValue(options.Prefixed) ? AclPatternType.Prefixed : AclPatternType.Literal, principal, parse.GetValue(options.Host) ?? "*",
                operation, parse.GetValue(options.Deny) ? AclPermission.Deny : AclPermission.Allow)).ToList();
            await client.Acls.CreateAsync(acls, cancel);
            Print(acls);
            return 0;
        }, ct));
        return command;
    }

    private static Command DeleteAcls(HubCommandRunner hub)
    {
        var options = new ResourceOptions();
        var command = new Command("delete", "Delete the ACLs matching a resource, principal, host, operation (at least one of them)");
        options.AddTo(command);
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            var filter = options.Filter(parse);
            if (filter == AclBindingFilter.All) throw new CliException("name what to delete (a resource, --principal, --host or --operation); to delete every ACL, use --topic '*' and the like per type");
            var deleted = await client.Acls.DeleteAsync(filter, cancel);
            Console.WriteLine($"deleted {deleted.Count} ACL(s)");
            Print(deleted);
            return 0;
        }, ct));
        return command;
    }

    private static void Print(IReadOnlyList<AclBinding> acls)
    {
        var table = new TextTable("PRINCIPAL", "HOST", "PERMISSION", "OPERATION", "RESOURCE", "NAME", "PATTERN");
        foreach (var acl in acls.OrderBy(a => a.ResourceType).ThenBy(a => a.ResourceName, StringComparer.Ordinal).ThenBy(a => a.Principal, StringComparer.Ordinal))
            table.Add(acl.Principal, acl.Host, AclNames.Kafka(acl.Permission), AclNames.Kafka(acl.Operation),
                AclNames.Kafka(acl.ResourceType), acl.ResourceName, AclNames.Kafka(acl.PatternType));
        table.WriteTo(Console.Out);
    }
}
