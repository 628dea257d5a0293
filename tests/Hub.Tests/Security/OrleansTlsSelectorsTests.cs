using System.Net.Security;
using Hub.Silo.Configuration;
using Hub.Silo.Hosting;
using Hub.Tests.Log;
using Hub.Tests.Support;

namespace Hub.Tests.Security;

/// <summary>
/// The certificate selectors and peer check Hub gives Orleans' TLS, after the files are replaced. The gateway's
/// side is tested with real handshakes (<see cref="CertificateReloadTests"/>); a silo dialling another is not
/// reliably: Orleans sends over whichever link between two silos exists, often the one the other silo made.
/// </summary>
public sealed class OrleansTlsSelectorsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Both_selectors_and_the_peer_check_follow_the_replaced_files()
    {
        using var certificates = await CertificateSets.MakeAsync();
        var time = new ManualTimeProvider();
        var tls = OrleansTls.Options(new OrleansTlsOptions
        {
            CertificateFile = certificates.LiveFile("server.pem"),
            KeyFile = certificates.LiveFile("server-key.pem"),
            TrustedCertificatesFile = certificates.LiveFile("ca.pem"),
        }, Interval, time, new CapturingLogger());
        string Server() => tls.LocalServerCertificateSelector!(null!, null!)!.Thumbprint;
        string Client() => tls.LocalClientCertificateSelector!(null!, null!, null!, null, null!)!.Thumbprint;
        bool Accepts(string set) => tls.RemoteCertificateValidation!(TlsProbe.Load(set, "client"), null!, SslPolicyErrors.None);
        var (a, b) = (TlsProbe.Load(certificates.A, "server").Thumbprint, TlsProbe.Load(certificates.B, "server").Thumbprint);

        Assert.Equal((a, a, true, false), (Server(), Client(), Accepts(certificates.A), Accepts(certificates.B)));
        certificates.MakeLive(certificates.B);
        time.Advance(Interval);
        Assert.Equal((b, b, false, true), (Server(), Client(), Accepts(certificates.A), Accepts(certificates.B)));
    }
}
