using System.Security.Cryptography.X509Certificates;
using Hub.Silo.Configuration;
using Hub.Silo.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Hub.Silo.Hosting;

internal static class OrleansTls
{
    /// <summary>
    /// Mutual TLS on silo-to-silo links and at the gateway when Hub:OrleansTls:CertificateFile is set: every peer
    /// must show a certificate that chains to the configured CAs (host names aren't checked: silos are reached by
    /// address, and the private CA is what makes a peer one of the cluster's). The certificate and the CAs are
    /// reloaded when their files change (<see cref="ReloadedFromFiles{T}"/>), through Orleans' certificate
    /// selectors, which each new connection asks; established links keep the certificate they began with.
    /// </summary>
    public static ISiloBuilder UseHubTls(this ISiloBuilder silo, OrleansTlsOptions options, TimeSpan checkInterval)
    {
        if (string.IsNullOrWhiteSpace(options.CertificateFile)) return silo;
        if (string.IsNullOrWhiteSpace(options.TrustedCertificatesFile))
            throw new ArgumentException($"Hub:OrleansTls needs {nameof(OrleansTlsOptions.TrustedCertificatesFile)}, the CAs peers' certificates must chain to");
        // Options configured with the silo's services, for the logger and clock the reloading needs; a certificate
        // that doesn't load then stops the silo as it starts.
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<ILoggerFactory, TimeProvider>((connections, loggers, time) =>
        {
            var tls = Options(options, checkInterval, time, loggers.CreateLogger(typeof(OrleansTls).FullName!));
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(tls));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(tls));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(tls));
        });
        return silo;
    }

    /// <summary>The TLS of every Orleans link, its certificate and CAs reloaded from their files; internal for tests of its selectors.</summary>
    internal static TlsOptions Options(OrleansTlsOptions options, TimeSpan checkInterval, TimeProvider time, ILogger logger)
    {
        var (file, keyFile, password, trustedFile) = (options.CertificateFile!, options.KeyFile, options.Password, options.TrustedCertificatesFile!);
        var certificate = new ReloadedFromFiles<X509Certificate2>("the certificate of Hub:OrleansTls",
            string.IsNullOrWhiteSpace(keyFile) ? [file] : [file, keyFile],
            () => TlsCertificates.Load(file, keyFile, password).Certificate, checkInterval, time, logger);
        var trusted = new ReloadedFromFiles<X509Certificate2Collection>("the trusted CAs of Hub:OrleansTls", [trustedFile],
            () => TlsCertificates.Trusted(trustedFile), checkInterval, time, logger);
        return new TlsOptions
        {
            // Orleans checks this one as the silo's client certificate when it builds a link's TLS; the selectors
            // then give each connection the current one.
            LocalCertificate = certificate.Current,
            LocalServerCertificateSelector = (_, _) => certificate.Current,
            LocalClientCertificateSelector = (_, _, _, _, _) => certificate.Current,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = options.RequireClientCertificate ? RemoteCertificateMode.RequireCertificate : RemoteCertificateMode.AllowCertificate,
            RemoteCertificateValidation = (peer, _, _) => TlsCertificates.ChainsTo(trusted.Current, peer),
        };
    }
}
