namespace Hub.Security;

/// <summary>A SCRAM mechanism (RFC 5802, RFC 7677), numbered as Kafka's credential APIs number them.</summary>
public enum ScramMechanism : sbyte
{
    Unknown = 0,
    ScramSha256 = 1,
    ScramSha512 = 2,
}
