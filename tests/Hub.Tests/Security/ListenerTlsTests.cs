using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Tests.Cluster;
using Hub.Tests.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Security;

/// <summary>
/// Hub:KafkaListenerTls:NAME over Hub:KafkaTls (Kafka's listener.name.NAME.ssl.*): two SSL listeners on one silo,
/// EXTERNAL with the defaults (certificate A, no client certificates) and INTERNAL with its own certificate (B) and
/// client certificates required, chaining to B's CA.
/// </summary>
public sealed class ListenerTlsTests
{
    [Fact]
    public void A_listeners_own_certificate_brings_its_own_key_while_unset_settings_come_from_the_defaults()
    {
        var defaults = new KafkaTlsOptions { CertificateFile = "a.pem", KeyFile = "a-key.pem", Password = "pw", ClientAuth = "requested", TrustedCertificatesFile = "ca.pem" };

        var own = new KafkaTlsOptions { CertificateFile = "b.pem" }.Over(defaults);
        Assert.Equal(("b.pem", null, null, "requested", "ca.pem"), (own.CertificateFile, own.KeyFile, own.Password, own.ClientAuth, own.TrustedCertificatesFile));

        var clientAuthOnly = new KafkaTlsOptions { ClientAuth = "required" }.Over(defaults);
        Assert.Equal(("a.pem", "a-key.pem", "pw", "required"), (clientAuthOnly.CertificateFile, clientAuthOnly.KeyFile, clientAuthOnly.Password, clientAuthOnly.ClientAuth));
    }

    [KcatFact]
    public async Task Two_ssl_listeners_serve_their_own_certificates_and_ask_for_client_certificates_as_each_is_configured()
    {
        using var certificates = await CertificateSets.MakeAsync();
        string A(string file) => Path.Combine(certificates.A, file);
        string B(string file) => Path.Combine(certificates.B, file);
        await using var cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
        {
            ["KafkaListeners"] = "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
            ["KafkaListenerSecurityProtocolMap"] = "INTERNAL:SSL,EXTERNAL:SSL",
            ["KafkaTls:CertificateFile"] = A("server.pem"),
            ["KafkaTls:KeyFile"] = A("server-key.pem"),
            ["KafkaListenerTls:INTERNAL:CertificateFile"] = B("server.pem"),
            ["KafkaListenerTls:INTERNAL:KeyFile"] = B("server-key.pem"),
            ["KafkaListenerTls:INTERNAL:ClientAuth"] = "required",
            ["KafkaListenerTls:INTERNAL:TrustedCertificatesFile"] = B("ca.pem"),
        });
        string Bootstrap(string listener) => $"127.0.0.1:{cluster.SiloServices.GetRequiredService<KafkaListeners>().EndPointOf(listener)!.Port}";

        using (var external = await RawKafkaConnection.ConnectTlsAsync(Bootstrap("EXTERNAL"), clientCertificate: null))
        {
            Assert.Equal(TlsProbe.Load(certificates.A, "server").Thumbprint, external.ServerThumbprint);
            await external.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
            Assert.NotNull(await external.ReceiveAsync());
        }
        using (var @internal = await RawKafkaConnection.ConnectTlsAsync(Bootstrap("INTERNAL"), TlsProbe.Load(certificates.B, "client")))
        {
            Assert.Equal(TlsProbe.Load(certificates.B, "server").Thumbprint, @internal.ServerThumbprint);
            await @internal.SendAsync(ApiKey.ApiVersions, 0, 1, RequestBodies.ApiVersions(0));
            Assert.NotNull(await @internal.ReceiveAsync());
        }

        string[] Kcat(string listener, string ca, params string[] rest) =>
            ["-b", Bootstrap(listener), "-X", "security.protocol=SSL", "-X", $"ssl.ca.location={ca}", .. rest, "-L", "-m", "10"];
        var externalKcat = await Kafka.Kcat.RunAsync(null, Kcat("EXTERNAL", A("ca.pem")));
        Assert.True(externalKcat.ExitCode == 0, externalKcat.Errors);
        Assert.Contains($"broker 0 at {Bootstrap("EXTERNAL")}", externalKcat.Output);
        var internalKcat = await Kafka.Kcat.RunAsync(null, Kcat("INTERNAL", B("ca.pem"),
            "-X", $"ssl.certificate.location={B("client.pem")}", "-X", $"ssl.key.location={B("client-key.pem")}"));
        Assert.True(internalKcat.ExitCode == 0, internalKcat.Errors);
        Assert.Contains($"broker 0 at {Bootstrap("INTERNAL")}", internalKcat.Output);

        // INTERNAL requires a client certificate from B's CA: none, or A's, is refused.
        Assert.NotEqual(0, (await Kafka.Kcat.RunAsync(null, Kcat("INTERNAL", B("ca.pem")))).ExitCode);
        Assert.NotEqual(0, (await Kafka.Kcat.RunAsync(null, Kcat("INTERNAL", B("ca.pem"),
            "-X", $"ssl.certificate.location={A("client.pem")}", "-X", $"ssl.key.location={A("client-key.pem")}"))).ExitCode);
    }

    [Fact]
    public async Task Settings_for_a_listener_that_is_not_ssl_stop_the_silo_naming_it()
    {
        using var certificates = await CertificateSets.MakeAsync();
        using var data = new Support.TempDirectory();
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["HUB_Hub__KafkaListeners"] = "PLAINTEXT://:0,SSL://:0",
            ["HUB_Hub__KafkaTls__CertificateFile"] = Path.Combine(certificates.A, "server.pem"),
            ["HUB_Hub__KafkaTls__KeyFile"] = Path.Combine(certificates.A, "server-key.pem"),
            ["HUB_Hub__KafkaListenerTls__PLAINTEXT__ClientAuth"] = "required",
        }));
        Assert.Contains("Hub:KafkaListenerTls names 'PLAINTEXT', which is no SSL or SASL_SSL listener", failed.Message);
    }
}
