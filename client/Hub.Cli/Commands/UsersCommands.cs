using System.CommandLine;
using Hub.Cli.CommandLine;
using Hub.Client;
using Hub.Security;

namespace Hub.Cli.Commands;

/// <summary><c>hub users create|delete|list</c>: the SASL users Kafka clients authenticate as (PLAIN, SCRAM-SHA-256/512).</summary>
public static class UsersCommands
{
    public static Command Create(HubCommandRunner hub)
    {
        var users = new Command("users", "Create, delete and list the SASL users Kafka clients authenticate as");
        users.Subcommands.Add(CreateUser(hub));
        users.Subcommands.Add(DeleteUser(hub));
        users.Subcommands.Add(ListUsers(hub));
        return users;
    }

    private static Argument<string> UserArgument() => new("user") { Description = "User name (the principal User:<name>)" };

    private static Command CreateUser(HubCommandRunner hub)
    {
        var name = UserArgument();
        var password = new Option<string?>("--password") { Description = "The password (visible to other local users in the process list: prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };
        var mechanism = new Option<string[]>("--mechanism")
        {
            Description = "SCRAM-SHA-256 or SCRAM-SHA-512; repeatable (default: both). PLAIN works with either",
        };
        mechanism.AcceptOnlyFromAmong("SCRAM-SHA-256", "SCRAM-SHA-512");
        var iterations = new Option<int>("--iterations") { Description = "PBKDF2 iterations, 4096-16384", DefaultValueFactory = _ => HubUsers.DefaultIterations };
        var command = new Command("create", "Create a user or change its password") { name, password, passwordStdin, mechanism, iterations };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(password) is null) == !result.GetValue(passwordStdin))
                result.AddError("give the password with exactly one of --password and --password-stdin");
        });
        command.SetAction((parse, ct) =>
        {
            var user = parse.GetRequiredValue(name);
            var secret = parse.GetValue(password) ?? Console.In.ReadLine() ?? "";
            var mechanisms = (parse.GetValue(mechanism) ?? []).Select(m => m == "SCRAM-SHA-512" ? ScramMechanism.ScramSha512 : ScramMechanism.ScramSha256).Distinct().ToList();
            return hub.RunAsync(parse, null, async (client, cancel) =>
            {
                if (secret.Length == 0) throw new CliException("the password is empty");
                await client.Users.SetPasswordAsync(user, secret, mechanisms, parse.GetValue(iterations), cancel);
                Console.WriteLine($"user '{user}' set for {(mechanisms.Count == 0 ? "SCRAM-SHA-256, SCRAM-SHA-512" : string.Join(", ", mechanisms.Select(Name)))} (and PLAIN)");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command DeleteUser(HubCommandRunner hub)
    {
        var name = UserArgument();
        var command = new Command("delete", "Delete a user's credentials: it can no longer authenticate") { name };
        command.SetAction((parse, ct) =>
        {
            var user = parse.GetRequiredValue(name);
            return hub.RunAsync(parse, null, async (client, cancel) =>
            {
                await client.Users.DeleteAsync(user, cancel);
                Console.WriteLine($"deleted user '{user}'");
                return 0;
            }, ct);
        });
        return command;
    }

    private static Command ListUsers(HubCommandRunner hub)
    {
        var command = new Command("list", "List users with their SCRAM mechanisms and iteration counts");
        command.SetAction((parse, ct) => hub.RunAsync(parse, null, async (client, cancel) =>
        {
            var table = new TextTable("USER", "MECHANISMS");
            foreach (var user in await client.Users.ListAsync(cancel))
                table.Add(user.User, string.Join(", ", user.Credentials.Select(c => $"{Name(c.Mechanism)} ({c.Iterations} iterations)")));
            table.WriteTo(Console.Out);
            return 0;
        }, ct));
        return command;
    }

    private static string Name(ScramMechanism mechanism) => mechanism == ScramMechanism.ScramSha512 ? "SCRAM-SHA-512" : "SCRAM-SHA-256";
}
