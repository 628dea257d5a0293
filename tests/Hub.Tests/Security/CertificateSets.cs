using Hub.Client;
using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>
/// Two independent sets of infra/make-certs.sh files (A and B: each its own CA, server and client certificate) and a
/// directory of live files a silo is configured with, which start as A's and are swapped for B's as an operator
/// rotating certificates does: each file written beside and renamed over the old, so no reader sees half a file.
/// </summary>
internal sealed class CertificateSets : IDisposable
{
    private static readonly string[] LiveFiles = ["server.pem", "server-key.pem", "ca.pem"];

    private readonly TempDirectory _a = new();
    private readonly TempDirectory _b = new();
    private readonly TempDirectory _live = new();

    private CertificateSets()
    {
    }

    public string A => _a.Path;

    public string B => _b.Path;

    public string Live => _live.Path;

    public string LiveFile(string name) => System.IO.Path.Combine(_live.Path, name);

    public static async Task<CertificateSets> MakeAsync()
    {
        var sets = new CertificateSets();
        foreach (var directory in new[] { sets.A, sets.B })
        {
            var made = await ExternalProcess.RunAsync("bash", null, TimeSpan.FromSeconds(60),
                [System.IO.Path.Combine(SiloProcess.RepositoryRoot, "infra", "make-certs.sh"), directory]);
            Assert.True(made.ExitCode == 0, made.Errors);
        }
        sets.MakeLive(sets.A);
        return sets;
    }

    /// <summary>The live server certificate, key and CA become those of <paramref name="set"/>, each by an atomic rename.</summary>
    public void MakeLive(string set)
    {
        foreach (var name in LiveFiles) Replace(name, File.ReadAllBytes(System.IO.Path.Combine(set, name)));
    }

    /// <summary>An SDK client of the gateway at 127.0.0.1:<paramref name="gatewayPort"/> with <paramref name="set"/>'s CA and client certificate.</summary>
    public static HubClientOptions ClientOptions(string set, int gatewayPort, TimeSpan? connectTimeout = null) => new()
    {
        Gateways = [$"127.0.0.1:{gatewayPort}"],
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(30),
        TlsTrustedCertificatesFile = System.IO.Path.Combine(set, "ca.pem"),
        TlsCertificateFile = System.IO.Path.Combine(set, "client.pem"),
        TlsKeyFile = System.IO.Path.Combine(set, "client-key.pem"),
    };

    /// <summary>Replaces a live file with bytes that are no certificate, as a botched copy would.</summary>
    public void Corrupt(string name) => Replace(name, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"u8.ToArray());

    private void Replace(string name, byte[] content)
    {
        var beside = LiveFile($".{name}.new");
        File.WriteAllBytes(beside, content);
        File.Move(beside, LiveFile(name), overwrite: true);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _live.Dispose();
    }
}
