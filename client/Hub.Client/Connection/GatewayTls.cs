using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Hub.Client;

internal static class GatewayTls
{
    /// <summary>
    /// TLS to the gateways when <see cref="HubClientOptions.TlsTrustedCertificatesFile"/> is set: the gateway's
    /// certificate must chain to those CAs, and the client shows its own certificate if it has one.
    /// </summary>
    public static IClientBuilder UseGatewayTls(this IClientBuilder client, HubClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.TlsTrustedCertificatesFile)) return client;
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(options.TlsTrustedCertificatesFile);
        var certificate = string.IsNullOrWhiteSpace(options.TlsCertificateFile) ? null
            : X509Certificate2.CreateFromPemFile(options.TlsCertificateFile, string.IsNullOrWhiteSpace(options.TlsKeyFile) ? options.TlsCertificateFile : options.TlsKeyFile);
        return client.UseTls(tls =>
        {
            tls.LocalCertificate = certificate;
            tls.ClientCertificateMode = certificate is null ? RemoteCertificateMode.NoCertificate : RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (gateway, _, _) => IssuedBy(trusted, gateway);
        });
    }

    private static bool IssuedBy(X509Certificate2Collection trusted, X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
