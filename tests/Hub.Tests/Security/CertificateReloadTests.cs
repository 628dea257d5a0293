using System.Text.RegularExpressions;
using Hub.Client;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Cluster;
using Hub.Tests.Groups;
using Hub.Tests.Kafka;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>
/// Certificates rotated without a restart, on a silo process: the files of Hub:KafkaTls and Hub:OrleansTls are
/// replaced (certificate A's by B's, each from its own CA) and new connections get B while those made before go on;
/// a file that is no certificate is logged and the last good one kept.
/// </summary>
public sealed partial class CertificateReloadTests
{
    /// <summary>Short, so a test waits a fraction of a second for a reload rather than the default 10 s.</summary>
    private const string CheckInterval = "00:00:00.200";

    /// <summary>Bound on seeing a change served: many check intervals on a loaded machine.</summary>
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(4);

    private const string KeptLog = "could not be loaded from them";

    /// <summary>
    /// How often the silo has logged keeping its old certificate: a rotation may log it too, when a check falls
    /// between the renames of the certificate and of its key.
    /// </summary>
    private static int KeptCount(SiloProcess silo) => Regex.Count(silo.Output, KeptLog);

    [GeneratedRegex(@"Kafka listener SSL \(Ssl\) on 127\.0\.0\.1:(\d+)")]
    private static partial Regex SslPort();

    private static async Task<string?> ServedThumbprintAsync(string bootstrap, string clientDirectory)
    {
        try
        {
            using var connection = await RawKafkaConnection.ConnectTlsAsync(bootstrap, TlsProbe.Load(clientDirectory, "client"));
            await connection.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
            return await connection.ReceiveAsync() is null ? null : connection.ServerThumbprint;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            return null; // refused: the client's certificate is not from a trusted CA
        }
    }

    [KcatFact]
    public async Task A_kafka_ssl_listener_serves_new_connections_the_replaced_certificate_and_keeps_the_old_one_for_an_invalid_file()
    {
        using var certificates = await CertificateSets.MakeAsync();
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["HUB_Hub__KafkaListeners"] = "SSL://:0",
            ["HUB_Hub__KafkaTls__CertificateFile"] = certificates.LiveFile("server.pem"),
            ["HUB_Hub__KafkaTls__KeyFile"] = certificates.LiveFile("server-key.pem"),
            ["HUB_Hub__KafkaTls__ClientAuth"] = "required",
            ["HUB_Hub__KafkaTls__TrustedCertificatesFile"] = certificates.LiveFile("ca.pem"),
            ["HUB_Hub__TlsFilesCheckInterval"] = CheckInterval,
        });
        var bootstrap = $"127.0.0.1:{SslPort().Match(silo.Output).Groups[1].Value}";
        var (a, b) = (TlsProbe.Load(certificates.A, "server").Thumbprint, TlsProbe.Load(certificates.B, "server").Thumbprint);

        using var before = await RawKafkaConnection.ConnectTlsAsync(bootstrap, TlsProbe.Load(certificates.A, "client"));
        Assert.Equal(a, before.ServerThumbprint);
        // Answered, so the listener has checked this client's certificate too (in TLS 1.3 the client's handshake
        // ends before the server has): it is established before the CA it chains to is replaced.
        await before.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
        Assert.NotNull(await before.ReceiveAsync());

        certificates.MakeLive(certificates.B);
        await GroupTesting.WaitUntilAsync(async () => await ServedThumbprintAsync(bootstrap, certificates.B) == b,
            "a new connection with B's client certificate is served with B's server certificate", ReloadTimeout);
        // The trusted CA reloaded too: A's client certificate no longer admits a new connection.
        Assert.Null(await ServedThumbprintAsync(bootstrap, certificates.A));
        // The connection made before the rotation goes on.
        await before.SendAsync(ApiKey.ApiVersions, 0, 7, RequestBodies.ApiVersions(0));
        Assert.NotNull(await before.ReceiveAsync());
        // A real client that trusts only B's CA.
        var kcat = await Kcat.RunAsync(null, "-b", bootstrap, "-X", "security.protocol=SSL",
            "-X", $"ssl.ca.location={Path.Combine(certificates.B, "ca.pem")}",
            "-X", $"ssl.certificate.location={Path.Combine(certificates.B, "client.pem")}",
            "-X", $"ssl.key.location={Path.Combine(certificates.B, "client-key.pem")}", "-L", "-m", "10");
        Assert.True(kcat.ExitCode == 0, kcat.Errors);

        var kept = KeptCount(silo);
        certificates.Corrupt("server.pem");
        // The files are looked at when a connection asks for the certificate: connect until the silo has.
        await GroupTesting.WaitUntilAsync(async () => await ServedThumbprintAsync(bootstrap, certificates.B) == b && KeptCount(silo) > kept,
            "the silo logs that the new certificate file could not be loaded", ReloadTimeout);
        Assert.Equal(b, await ServedThumbprintAsync(bootstrap, certificates.B));
    }

    [Fact]
    public async Task The_orleans_gateway_serves_new_connections_the_replaced_certificate_while_a_connected_client_goes_on()
    {
        using var certificates = await CertificateSets.MakeAsync();
        using var data = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["HUB_Hub__OrleansTls__CertificateFile"] = certificates.LiveFile("server.pem"),
            ["HUB_Hub__OrleansTls__KeyFile"] = certificates.LiveFile("server-key.pem"),
            ["HUB_Hub__OrleansTls__TrustedCertificatesFile"] = certificates.LiveFile("ca.pem"),
            ["HUB_Hub__TlsFilesCheckInterval"] = CheckInterval,
        });
        var (a, b) = (TlsProbe.Load(certificates.A, "server").Thumbprint, TlsProbe.Load(certificates.B, "server").Thumbprint);
        HubClientOptions Client(string set, TimeSpan? timeout = null) => CertificateSets.ClientOptions(set, silo.GatewayPort, timeout);

        await using var connected = await HubClient.ConnectAsync(Client(certificates.A));
        await connected.Admin.CreateTopicAsync("before-rotation", 1);
        Assert.Equal(a, await TlsProbe.ServerThumbprintAsync(silo.GatewayPort, TlsProbe.Load(certificates.A, "client")));

        certificates.MakeLive(certificates.B);
        await GroupTesting.WaitUntilAsync(async () => await TlsProbe.ServerThumbprintAsync(silo.GatewayPort, TlsProbe.Load(certificates.B, "client")) == b,
            "the gateway shows a new connection B's certificate", ReloadTimeout);

        // The client connected before goes on over its connection; a client of B's CA connects; one of A's no longer.
        Assert.Contains(await connected.Admin.ListTopicsAsync(), t => t.Name == "before-rotation");
        await using (var rotated = await HubClient.ConnectAsync(Client(certificates.B)))
            Assert.Contains(await rotated.Admin.ListTopicsAsync(), t => t.Name == "before-rotation");
        await Assert.ThrowsAsync<HubConnectionException>(() => HubClient.ConnectAsync(Client(certificates.A, RefusalTimeout)));

        var kept = KeptCount(silo);
        certificates.Corrupt("ca.pem");
        // The CAs are looked at when a client's certificate is checked: connect until the silo has.
        await GroupTesting.WaitUntilAsync(async () =>
                await TlsProbe.ServerThumbprintAsync(silo.GatewayPort, TlsProbe.Load(certificates.B, "client")) == b && KeptCount(silo) > kept,
            "the silo logs that the new CA file could not be loaded", ReloadTimeout);
        await using (var still = await HubClient.ConnectAsync(Client(certificates.B)))
            Assert.Contains(await still.Admin.ListTopicsAsync(), t => t.Name == "before-rotation");
    }
}
