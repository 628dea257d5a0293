using Hub.Security;
using Hub.Silo.Security;

namespace Hub.Silo.Kafka.Sasl;

/// <summary>Looks up a user's stored SCRAM credentials by mechanism; empty when there is no such user.</summary>
internal delegate Task<IReadOnlyDictionary<ScramMechanism, StoredScramCredential>> CredentialLookup(string user);

/// <summary>The SASL mechanisms Hub's Kafka listener offers, by their SASL names, and the exchange each starts.</summary>
internal static class SaslMechanisms
{
    public const string Plain = "PLAIN";
    public const string ScramSha256 = "SCRAM-SHA-256";
    public const string ScramSha512 = "SCRAM-SHA-512";

    public const string OAuthBearer = "OAUTHBEARER";

    public static readonly IReadOnlyList<string> All = [Plain, ScramSha256, ScramSha512, OAuthBearer];

    /// <summary>A new exchange for one connection, or null for a mechanism Hub doesn't implement or wasn't configured for.</summary>
    public static ISaslExchange? Start(string mechanism, CredentialLookup credentials, OAuthBearerValidator? oauthBearer = null) => mechanism switch
    {
        Plain => new PlainExchange(credentials),
        ScramSha256 => new ScramExchange(ScramMechanism.ScramSha256, credentials),
        ScramSha512 => new ScramExchange(ScramMechanism.ScramSha512, credentials),
        OAuthBearer when oauthBearer is not null => new OAuthBearerExchange(oauthBearer),
        _ => null,
    };
}
