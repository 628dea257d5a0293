namespace Hub.Silo.Configuration;

/// <summary>
/// Mutual TLS on Orleans' own links (configuration section "Hub:OrleansTls"): silo to silo, and the gateway the SDK
/// and the hub CLI connect to. Off unless <see cref="CertificateFile"/> is set.
/// </summary>
public sealed class OrleansTlsOptions
{
    /// <summary>This silo's certificate: PEM (key beside it or in <see cref="KeyFile"/>) or PKCS#12, as for the Kafka listeners.</summary>
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// PEM file of the CAs every peer's certificate must chain to: other silos', and clients' at the gateway. A
    /// private CA makes the cluster's own (infra/make-certs.sh makes one).
    /// </summary>
    public string? TrustedCertificatesFile { get; set; }

    /// <summary>Whether gateway clients must present a certificate from those CAs (mTLS); silos always must.</summary>
    public bool RequireClientCertificate { get; set; } = true;
}
