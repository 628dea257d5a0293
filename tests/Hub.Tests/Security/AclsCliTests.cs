using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Kafka;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>
/// <c>hub acls</c> against a silo process with authorization on, run as the bootstrap administrator, and kcat and
/// the CLI as the principal it grants.
/// </summary>
public sealed class AclsCliTests
{
    [KcatFact]
    public async Task Hub_acls_grants_lists_and_revokes_what_a_kafka_client_may_do()
    {
        using var data = new TempDirectory();
        var environment = await BootstrapAdmin.SiloEnvironmentAsync(data.Path);
        environment["HUB_Hub__KafkaListeners"] = "PLAINTEXT://:0,SASL_PLAINTEXT://:0";
        await using var silo = await SiloProcess.StartAsync(Path.Combine(data.Path, "silo"), environment: environment);
        var admin = BootstrapAdmin.Cli;
        // Without a user the CLI is User:ANONYMOUS, whom no ACL allows anything.
        var anonymous = await HubCli.TryRunAsync(silo, null, null, HubCli.Timeout, HubCli.ConnectTimeoutSeconds, "topics", "create", "carol-orders");
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("User:ANONYMOUS may not CREATE topic 'carol-orders'", anonymous.Errors);

        await HubCli.RunAsAsync(admin, silo, "carol-secret\n", HubCli.Timeout, "users", "create", "carol", "--password-stdin");
        await HubCli.RunAsAsync(admin, silo, null, HubCli.Timeout, "topics", "create", "carol-orders");
        string[] kcat = ["-b", UsersCliTests.SaslBootstrap(silo), "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256",
            "-X", "sasl.username=carol", "-X", "sasl.password=carol-secret", "-X", "message.timeout.ms=5000"];

        var denied = await Kcat.RunAsync("before\n", [.. kcat, "-P", "-t", "carol-orders", "-p", "0"]);
        Assert.Contains("Topic authorization failed", denied.Errors, StringComparison.OrdinalIgnoreCase);

        var created = await HubCli.OutputLinesAsAsync(admin, silo, null, HubCli.Timeout,
            "acls", "create", "--principal", "User:carol", "--topic", "carol-", "--prefixed", "--operation", "write", "--operation", "read");
        Assert.Contains(created, l => l.StartsWith("User:carol", StringComparison.Ordinal) && l.Contains("WRITE") && l.Contains("PREFIXED"));
        Assert.Equal(2, (await HubCli.OutputLinesAsAsync(admin, silo, null, HubCli.Timeout, "acls", "list", "--principal", "User:carol")).Count(l => l.StartsWith("User:carol", StringComparison.Ordinal)));

        // The silo's copy of the ACLs catches up within about a second of a change made through the SDK.
        await GroupTesting.WaitUntilAsync(async () =>
        {
            var produced = await Kcat.RunAsync("after\n", [.. kcat, "-P", "-t", "carol-orders", "-p", "0"]);
            return produced.ExitCode == 0 && produced.Errors.Length == 0;
        }, "kcat may produce as carol", TimeSpan.FromSeconds(30));

        // The CLI as carol: the same ACLs, as the SDK's calls are checked like Kafka requests.
        var carol = new HubCli.User("carol", "carol-secret");
        Assert.Contains(await HubCli.OutputLinesAsAsync(carol, silo, null, HubCli.Timeout, "topics", "list"), l => l.Contains("carol-orders"));
        var wrongPassword = await HubCli.TryRunAsync(silo, new Dictionary<string, string> { ["HUB_USER"] = "carol", ["HUB_PASSWORD"] = "wrong" },
            null, HubCli.Timeout, HubCli.ConnectTimeoutSeconds, "topics", "list");
        Assert.NotEqual(0, wrongPassword.ExitCode);
        Assert.Contains("invalid username or password", wrongPassword.Errors);

        var deleted = await HubCli.OutputLinesAsAsync(admin, silo, null, HubCli.Timeout, "acls", "delete", "--principal", "User:carol");
        Assert.Contains("deleted 2 ACL(s)", deleted);
        Assert.DoesNotContain(await HubCli.OutputLinesAsAsync(admin, silo, null, HubCli.Timeout, "acls", "list"), l => l.StartsWith("User:carol", StringComparison.Ordinal));
    }
}
