using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Hub.Silo.Configuration;
using Hub.Silo.Security;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Kafka.Listeners;

/// <summary>
/// The server side of TLS for one SSL or SASL_SSL listener, from its <see cref="KafkaTlsOptions"/>: the certificate
/// (with its chain) and the check of client certificates against the trusted CAs, both reloaded when their files
/// change (<see cref="ReloadedFromFiles{T}"/>): each handshake takes the current ones, so new connections get a
/// rotated certificate while established ones go on with theirs.
/// </summary>
internal sealed class KafkaTlsServer
{
    private readonly ReloadedFromFiles<SslStreamCertificateContext> _certificate;
    private readonly ReloadedFromFiles<X509Certificate2Collection>? _trusted;
    private readonly bool _askForClientCertificate;
    private readonly bool _clientCertificateRequired;

    /// <param name="section">Where the settings come from ("Hub:KafkaTls" or "Hub:KafkaListenerTls:NAME"), for errors and logs.</param>
    public KafkaTlsServer(string section, KafkaTlsOptions options, TimeSpan checkInterval, TimeProvider time, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.CertificateFile))
            throw new ArgumentException($"an SSL or SASL_SSL listener needs {section}:{nameof(KafkaTlsOptions.CertificateFile)}");
        var clientAuth = (options.ClientAuth ?? KafkaTlsOptions.ClientAuthNone).ToLowerInvariant();
        if (clientAuth is not (KafkaTlsOptions.ClientAuthNone or KafkaTlsOptions.ClientAuthRequested or KafkaTlsOptions.ClientAuthRequired))
            throw new ArgumentException($"{section}:{nameof(KafkaTlsOptions.ClientAuth)} is '{options.ClientAuth}': none, requested or required");
        _askForClientCertificate = clientAuth != KafkaTlsOptions.ClientAuthNone;
        _clientCertificateRequired = clientAuth == KafkaTlsOptions.ClientAuthRequired;

        var (file, keyFile, password) = (options.CertificateFile, options.KeyFile, options.Password);
        _certificate = new ReloadedFromFiles<SslStreamCertificateContext>($"the certificate of {section}",
            string.IsNullOrWhiteSpace(keyFile) ? [file] : [file, keyFile], () =>
            {
                var (certificate, chain) = TlsCertificates.Load(file, keyFile, password);
                return SslStreamCertificateContext.Create(certificate, chain, offline: true);
            }, checkInterval, time, logger);
        if (_askForClientCertificate)
        {
            if (string.IsNullOrWhiteSpace(options.TrustedCertificatesFile))
                throw new ArgumentException($"client certificates need {section}:{nameof(KafkaTlsOptions.TrustedCertificatesFile)}, the CAs they must chain to");
            var trustedFile = options.TrustedCertificatesFile;
            _trusted = new ReloadedFromFiles<X509Certificate2Collection>($"the trusted CAs of {section}", [trustedFile],
                () => TlsCertificates.Trusted(trustedFile), checkInterval, time, logger);
        }
    }

    /// <summary>
    /// TLS of a connection on a listener with this protocol, with the current certificate. SSL asks for client
    /// certificates as <see cref="KafkaTlsOptions.ClientAuth"/> says; SASL_SSL never does, as Kafka ignores
    /// ssl.client.auth there (KIP-684): the client authenticates with SASL.
    /// </summary>
    public SslServerAuthenticationOptions OptionsFor(SecurityProtocol protocol)
    {
        var askForClientCertificate = protocol != SecurityProtocol.SaslSsl && _askForClientCertificate;
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificate.Current,
            ClientCertificateRequired = askForClientCertificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = askForClientCertificate ? ValidateClient : null,
        };
    }

    /// <summary>Kafka's principal for a TLS client: "User:" + its certificate's subject (RFC 2253 form), or ANONYMOUS without one.</summary>
    public static string PrincipalOf(X509Certificate? certificate) =>
        certificate is null ? KafkaPrincipal.Anonymous : KafkaPrincipal.User(SubjectOf(certificate));

    /// <summary>
    /// The subject as Java prints it (X500Principal.getName()), which Kafka's ACLs name: most specific first, no
    /// space after a comma. A multi-valued part (rare) keeps .NET's rendering.
    /// </summary>
    private static string SubjectOf(X509Certificate certificate)
    {
        using var parsed = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var names = parsed.SubjectName.EnumerateRelativeDistinguishedNames(reversed: true).ToList();
        if (names.Any(n => n.HasMultipleElements)) return parsed.SubjectName.Name;
        return string.Join(",", names.Select(n => $"{Abbreviation(n.GetSingleElementType())}={n.GetSingleElementValue()}"));
    }

    private static string Abbreviation(System.Security.Cryptography.Oid type) => type.FriendlyName switch
    {
        "S" => "ST",
        "CN" or "OU" or "O" or "L" or "C" or "DC" => type.FriendlyName,
        _ => type.Value ?? "?",
    };

    /// <summary>A client certificate must chain to a trusted CA and be within its validity; none is fine unless required.</summary>
    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? _, SslPolicyErrors errors) =>
        certificate is null ? !_clientCertificateRequired : TlsCertificates.ChainsTo(_trusted!.Current, certificate);
}
