namespace Hub.Silo.Configuration;

/// <summary>
/// TLS of the Kafka listeners whose protocol is SSL or SASL_SSL (configuration section "Hub:KafkaTls"), and of one
/// listener ("Hub:KafkaListenerTls:NAME", Kafka's listener.name.NAME.ssl.*) where that differs.
/// </summary>
public sealed class KafkaTlsOptions
{
    public const string ClientAuthNone = "none";
    public const string ClientAuthRequested = "requested";
    public const string ClientAuthRequired = "required";

    /// <summary>
    /// The server's certificate: a PEM file (the certificate, then any intermediates; the key too unless
    /// <see cref="KeyFile"/> is set) or a PKCS#12 file (.p12, .pfx).
    /// </summary>
    public string? CertificateFile { get; set; }

    /// <summary>The PEM private key of a PEM certificate, when it is not in <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Password of an encrypted PEM key or of a PKCS#12 file.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Client certificates (Kafka's ssl.client.auth): "none"; "requested" (checked when sent); "required" (mTLS: a
    /// connection without a valid one is refused); unset is "none". A client with a valid certificate is the principal "User:" + its
    /// subject, unless it authenticates with SASL.
    /// </summary>
    public string? ClientAuth { get; set; }

    /// <summary>PEM file of the CA certificates client certificates must chain to (Kafka's truststore); needed unless ClientAuth is none.</summary>
    public string? TrustedCertificatesFile { get; set; }

    /// <summary>
    /// These settings of one listener over <paramref name="defaults"/>: each one set here wins, except that the
    /// certificate, its key and their password go together, so a listener with a certificate of its own never gets
    /// another certificate's key file.
    /// </summary>
    public KafkaTlsOptions Over(KafkaTlsOptions defaults)
    {
        var ownCertificate = !string.IsNullOrWhiteSpace(CertificateFile);
        return new KafkaTlsOptions
        {
            CertificateFile = ownCertificate ? CertificateFile : defaults.CertificateFile,
            KeyFile = ownCertificate ? KeyFile : defaults.KeyFile,
            Password = ownCertificate ? Password : defaults.Password,
            ClientAuth = ClientAuth ?? defaults.ClientAuth,
            TrustedCertificatesFile = TrustedCertificatesFile ?? defaults.TrustedCertificatesFile,
        };
    }
}
