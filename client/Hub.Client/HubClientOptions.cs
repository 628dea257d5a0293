namespace Hub.Client;

/// <summary>Where the Hub cluster is and how long to try reaching it.</summary>
public sealed class HubClientOptions
{
    /// <summary>Silo gateway endpoints as host:port (Orleans' gateway port, 30000 by default).</summary>
    public IList<string> Gateways { get; set; } = ["localhost:30000"];

    public string ClusterId { get; set; } = "hub";

    public string ServiceId { get; set; } = "hub";

    /// <summary>How long <see cref="HubClient.ConnectAsync"/> keeps retrying before giving up.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// PEM file of the CAs the gateway's certificate must chain to: set, the client speaks TLS to silos with
    /// Hub:OrleansTls. Host names are not checked, as silos check each other's.
    /// </summary>
    public string? TlsTrustedCertificatesFile { get; set; }

    /// <summary>The client's own certificate (PEM, key beside it or in <see cref="TlsKeyFile"/>), for gateways that require one.</summary>
    public string? TlsCertificateFile { get; set; }

    public string? TlsKeyFile { get; set; }

    /// <summary>
    /// A SCRAM user of the cluster (<c>hub users create</c>) the client's calls are made as: with Hub:Authorization on,
    /// the ACLs of <c>User:NAME</c> apply to them as to a Kafka client's; without a user they are User:ANONYMOUS's.
    /// </summary>
    public string? Username { get; set; }

    public string? Password { get; set; }
}
