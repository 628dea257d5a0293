using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hub.Silo.Kafka.Transport;
using Hub.Tests.Cluster;
using Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Tests.Security;

/// <summary>
/// One in-process silo with four Kafka listeners (PLAINTEXT, SSL with required client certificates, SASL_PLAINTEXT,
/// SASL_SSL) on certificates made by infra/make-certs.sh, as the README has a user make them, and the user alice.
/// </summary>
public sealed class SecureCluster : IAsyncLifetime
{
    public const string User = "alice";
    public const string Password = "alice-secret";
    public const string Topic = "secure";

    private readonly TempDirectory _certificates = new();

    public HubTestCluster Cluster { get; private set; } = null!;

    public string CertificateDirectory => _certificates.Path;

    public string CaFile => Path.Combine(_certificates.Path, "ca.pem");

    public string ClientCertificateFile => Path.Combine(_certificates.Path, "client.pem");

    public string ClientKeyFile => Path.Combine(_certificates.Path, "client-key.pem");

    /// <summary>A client certificate from the same CA whose validity ended yesterday.</summary>
    public string ExpiredCertificateFile => Path.Combine(_certificates.Path, "expired.pem");

    public string ExpiredKeyFile => Path.Combine(_certificates.Path, "expired-key.pem");

    public async Task InitializeAsync()
    {
        var made = await ExternalProcess.RunAsync("bash", null, TimeSpan.FromSeconds(60),
            [Path.Combine(SiloProcess.RepositoryRoot, "infra", "make-certs.sh"), _certificates.Path]);
        Assert.True(made.ExitCode == 0, made.Errors);
        var expiresAt = MakeExpiredClientCertificate();
        Cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
        {
            ["KafkaListeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
            ["KafkaTls:CertificateFile"] = Path.Combine(_certificates.Path, "server.pem"),
            ["KafkaTls:KeyFile"] = Path.Combine(_certificates.Path, "server-key.pem"),
            ["KafkaTls:ClientAuth"] = "required",
            ["KafkaTls:TrustedCertificatesFile"] = CaFile,
        });
        await Cluster.Client.Users.SetPasswordAsync(User, Password);
        await Cluster.Client.Admin.CreateTopicAsync(Topic, 1);
        // X.509 times are whole seconds: past this, the short-lived certificate has certainly expired.
        var expired = expiresAt.AddSeconds(1) - DateTimeOffset.UtcNow;
        if (expired > TimeSpan.Zero) await Task.Delay(expired);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _certificates.Dispose();
    }

    /// <summary>"127.0.0.1:port" of the named listener.</summary>
    public string Bootstrap(string listener) =>
        Cluster.SiloServices.GetRequiredService<KafkaListeners>().EndPointOf(listener) is { } endpoint
            ? $"127.0.0.1:{endpoint.Port}"
            : throw new InvalidOperationException($"no listener {listener}");

    private DateTimeOffset MakeExpiredClientCertificate()
    {
        using var ca = X509Certificate2.CreateFromPemFile(CaFile, Path.Combine(_certificates.Path, "ca-key.pem"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=expired-client", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        // The CA was made a moment ago and a certificate can't predate its issuer's: valid for one second from then.
        var notAfter = ca.NotBefore.ToUniversalTime().AddSeconds(1);
        using var expired = request.Create(ca, ca.NotBefore.ToUniversalTime(), notAfter, RandomNumberGenerator.GetBytes(16));
        File.WriteAllText(ExpiredCertificateFile, expired.ExportCertificatePem());
        File.WriteAllText(ExpiredKeyFile, key.ExportPkcs8PrivateKeyPem());
        return notAfter;
    }
}
