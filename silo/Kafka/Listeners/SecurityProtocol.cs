namespace Hub.Silo.Kafka.Listeners;

/// <summary>Kafka's security protocols: whether a listener's connections use TLS, SASL, both or neither.</summary>
internal enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

internal static class SecurityProtocols
{
    /// <summary>Kafka's name for each protocol, as written in listener.security.protocol.map.</summary>
    public static readonly IReadOnlyDictionary<string, SecurityProtocol> ByName = new Dictionary<string, SecurityProtocol>(StringComparer.OrdinalIgnoreCase)
    {
        ["PLAINTEXT"] = SecurityProtocol.Plaintext,
        ["SSL"] = SecurityProtocol.Ssl,
        ["SASL_PLAINTEXT"] = SecurityProtocol.SaslPlaintext,
        ["SASL_SSL"] = SecurityProtocol.SaslSsl,
    };

    public static bool UsesTls(this SecurityProtocol protocol) => protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    public static bool UsesSasl(this SecurityProtocol protocol) => protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
}
