using Hub.Silo.Configuration;
using Hub.Silo.Security;
using Orleans.Connections.Security;

namespace Hub.Silo.Hosting;

internal static class OrleansTls
{
    /// <summary>
    /// Mutual TLS on silo-to-silo links and at the gateway when Hub:OrleansTls:CertificateFile is set: every peer
    /// must show a certificate that chains to the configured CAs (host names aren't checked: silos are reached by
    /// address, and the private CA is what makes a peer one of the cluster's).
    /// </summary>
    public static ISiloBuilder UseHubTls(this ISiloBuilder silo, OrleansTlsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificateFile)) return silo;
        if (string.IsNullOrWhiteSpace(options.TrustedCertificatesFile))
            throw new ArgumentException($"Hub:OrleansTls needs {nameof(OrleansTlsOptions.TrustedCertificatesFile)}, the CAs peers' certificates must chain to");
        var (certificate, _) = TlsCertificates.Load(options.CertificateFile, options.KeyFile, options.Password);
        var trusted = TlsCertificates.Trusted(options.TrustedCertificatesFile);
        return silo.UseTls(tls =>
        {
            tls.LocalCertificate = certificate;
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = options.RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate;
            tls.RemoteCertificateValidation = (peer, _, _) => TlsCertificates.ChainsTo(trusted, peer);
        });
    }
}
