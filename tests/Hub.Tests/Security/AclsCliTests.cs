using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Kafka;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary><c>hub acls</c> against a silo process with authorization on, and kcat as the principal it grants.</summary>
public sealed class AclsCliTests
{
    [KcatFact]
    public async Task Hub_acls_grants_lists_and_revokes_what_a_kafka_client_may_do()
    {
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["HUB_Hub__KafkaListeners"] = "PLAINTEXT://:0,SASL_PLAINTEXT://:0",
            ["HUB_Hub__Authorization__Enabled"] = "true",
        });
        await HubCli.RunAsync(silo, "carol-secret\n", HubCli.Timeout, "users", "create", "carol", "--password-stdin");
        await HubCli.RunAsync(silo, null, HubCli.Timeout, "topics", "create", "carol-orders");
        string[] kcat = ["-b", UsersCliTests.SaslBootstrap(silo), "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256",
            "-X", "sasl.username=carol", "-X", "sasl.password=carol-secret", "-X", "message.timeout.ms=5000"];

        var denied = await Kcat.RunAsync("before\n", [.. kcat, "-P", "-t", "carol-orders", "-p", "0"]);
        Assert.Contains("Topic authorization failed", denied.Errors, StringComparison.OrdinalIgnoreCase);

        var created = await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout,
            "acls", "create", "--principal", "User:carol", "--topic", "carol-", "--prefixed", "--operation", "write", "--operation", "read");
        Assert.Contains(created, l => l.StartsWith("User:carol", StringComparison.Ordinal) && l.Contains("WRITE") && l.Contains("PREFIXED"));
        Assert.Equal(2, (await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "acls", "list", "--principal", "User:carol")).Count(l => l.StartsWith("User:carol", StringComparison.Ordinal)));

        // The silo's copy of the ACLs catches up within about a second of a change made through the SDK.
        await GroupTesting.WaitUntilAsync(async () =>
        {
            var produced = await Kcat.RunAsync("after\n", [.. kcat, "-P", "-t", "carol-orders", "-p", "0"]);
            return produced.ExitCode == 0 && produced.Errors.Length == 0;
        }, "kcat may produce as carol", TimeSpan.FromSeconds(30));

        var deleted = await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "acls", "delete", "--principal", "User:carol");
        Assert.Contains("deleted 2 ACL(s)", deleted);
        Assert.DoesNotContain(await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "acls", "list"), l => l.StartsWith("User:carol", StringComparison.Ordinal));
    }
}
