using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Hub.Silo.Configuration;
using Hub.Silo.Security;

namespace Hub.Silo.Kafka.Listeners;

/// <summary>
/// The server side of TLS for SSL and SASL_SSL listeners, made once from <see cref="KafkaTlsOptions"/> when the
/// listeners open: the certificate (with its chain) and the check of client certificates against the trusted CAs.
/// </summary>
internal sealed class KafkaTlsServer
{
    private readonly X509Certificate2Collection _trusted = [];
    private readonly bool _clientCertificateRequired;

    public KafkaTlsServer(KafkaTlsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificateFile))
            throw new ArgumentException($"an SSL or SASL_SSL listener needs Hub:KafkaTls:{nameof(KafkaTlsOptions.CertificateFile)}");
        var (certificate, chain) = TlsCertificates.Load(options.CertificateFile, options.KeyFile, options.Password);
        var clientAuth = options.ClientAuth.ToLowerInvariant();
        if (clientAuth is not (KafkaTlsOptions.ClientAuthNone or KafkaTlsOptions.ClientAuthRequested or KafkaTlsOptions.ClientAuthRequired))
            throw new ArgumentException($"Hub:KafkaTls:{nameof(KafkaTlsOptions.ClientAuth)} is '{options.ClientAuth}': none, requested or required");
        var wantsClientCertificates = clientAuth != KafkaTlsOptions.ClientAuthNone;
        if (wantsClientCertificates)
        {
            if (string.IsNullOrWhiteSpace(options.TrustedCertificatesFile))
                throw new ArgumentException($"client certificates need Hub:KafkaTls:{nameof(KafkaTlsOptions.TrustedCertificatesFile)}, the CAs they must chain to");
            _trusted = TlsCertificates.Trusted(options.TrustedCertificatesFile);
        }
        _clientCertificateRequired = clientAuth == KafkaTlsOptions.ClientAuthRequired;
        var context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
        ForSsl = Options(context, wantsClientCertificates);
        ForSaslSsl = Options(context, askForClientCertificate: false);
    }

    /// <summary>TLS of an SSL listener: client certificates as <see cref="KafkaTlsOptions.ClientAuth"/> says.</summary>
    public SslServerAuthenticationOptions ForSsl { get; }

    /// <summary>
    /// TLS of a SASL_SSL listener: no client certificate asked for, as Kafka ignores ssl.client.auth there (KIP-684):
    /// the client authenticates with SASL.
    /// </summary>
    public SslServerAuthenticationOptions ForSaslSsl { get; }

    public SslServerAuthenticationOptions OptionsFor(SecurityProtocol protocol) => protocol == SecurityProtocol.SaslSsl ? ForSaslSsl : ForSsl;

    private SslServerAuthenticationOptions Options(SslStreamCertificateContext certificate, bool askForClientCertificate) => new()
    {
        ServerCertificateContext = certificate,
        ClientCertificateRequired = askForClientCertificate,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = askForClientCertificate ? ValidateClient : null,
    };

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
        certificate is null ? !_clientCertificateRequired : TlsCertificates.ChainsTo(_trusted, certificate);
}
