using System.Text.RegularExpressions;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary><c>hub users</c> against a silo process, with kcat authenticating as the user it made.</summary>
public sealed partial class UsersCliTests
{
    private static readonly Dictionary<string, string> SaslListener = new()
    {
        // Port 0: any free port; the silo logs the one it bound.
        ["HUB_Hub__KafkaListeners"] = "PLAINTEXT://:0,SASL_PLAINTEXT://:0",
        ["HUB_Logging__LogLevel__Hub"] = "Information",
    };

    [GeneratedRegex(@"Kafka listener SASL_PLAINTEXT \(SaslPlaintext\) on 127\.0\.0\.1:(\d+)")]
    private static partial Regex SaslPort();

    internal static string SaslBootstrap(SiloProcess silo) => $"127.0.0.1:{SaslPort().Matches(silo.Output).Last().Groups[1].Value}";

    private static Task<ExternalProcess.Result> KcatAsBob(SiloProcess silo, string mechanism) => Kcat.RunAsync(null,
        "-b", SaslBootstrap(silo), "-X", "security.protocol=SASL_PLAINTEXT", "-X", $"sasl.mechanisms={mechanism}",
        "-X", "sasl.username=bob", "-X", "sasl.password=bob-secret", "-L", "-m", "5");

    [KcatFact]
    public async Task Hub_users_creates_lists_and_deletes_a_user_that_kafka_clients_authenticate_as_across_restarts()
    {
        using var data = new TempDirectory();
        var silo = await SiloProcess.StartAsync(data.Path, environment: SaslListener);
        try
        {
            var created = await HubCli.RunAsync(silo, "bob-secret\n", HubCli.Timeout, "users", "create", "bob", "--password-stdin");
            Assert.Contains("user 'bob' set", created.Output);
            var listed = await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "users", "list");
            Assert.Contains(listed, l => l.StartsWith("bob", StringComparison.Ordinal) && l.Contains("SCRAM-SHA-256 (4096 iterations)") && l.Contains("SCRAM-SHA-512"));

            var scram = await KcatAsBob(silo, "SCRAM-SHA-512");
            Assert.True(scram.ExitCode == 0, scram.Errors);

            // Stored, not only held: a restarted silo still knows bob.
            await silo.StopAsync();
            silo = await silo.RestartAsync();
            var plain = await KcatAsBob(silo, "PLAIN");
            Assert.True(plain.ExitCode == 0, plain.Errors);

            await HubCli.RunAsync(silo, null, HubCli.Timeout, "users", "delete", "bob");
            Assert.DoesNotContain(await HubCli.OutputLinesAsync(silo, null, HubCli.Timeout, "users", "list"), l => l.StartsWith("bob", StringComparison.Ordinal));
            var refused = await KcatAsBob(silo, "SCRAM-SHA-256");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("SASL authentication error", refused.Errors);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
