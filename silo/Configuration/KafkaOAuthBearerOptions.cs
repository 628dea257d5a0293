namespace Hub.Silo.Configuration;

/// <summary>
/// How SASL/OAUTHBEARER tokens are checked (configuration section "Hub:KafkaOAuthBearer"), as Kafka's
/// sasl.oauthbearer.* settings: the identity provider's signing keys, the issuer and audience a token must name,
/// and the claim that names the principal. OAUTHBEARER is offered when <see cref="HubSiloOptions.KafkaSaslMechanisms"/> lists it.
/// </summary>
public sealed class KafkaOAuthBearerOptions
{
    /// <summary>A JSON Web Key Set file (the provider's jwks_uri document, saved): the keys a token's signature must verify with.</summary>
    public string? JwksFile { get; set; }

    /// <summary>The issuer ("iss") a token must name (Kafka's sasl.oauthbearer.expected.issuer); none: not checked.</summary>
    public string? Issuer { get; set; }

    /// <summary>An audience ("aud") a token must include (Kafka's sasl.oauthbearer.expected.audience); none: not checked.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim whose value is the principal's name, <c>User:NAME</c> (Kafka's sasl.oauthbearer.sub.claim.name).</summary>
    public string PrincipalClaim { get; set; } = "sub";

    /// <summary>
    /// Accepts unsigned tokens (alg "none"), as Kafka's default unsecured validator does: for development only, where
    /// clients make their own tokens (librdkafka's enable.sasl.oauthbearer.unsecure.jwt). Signed tokens are still checked.
    /// </summary>
    public bool AllowUnsecuredJwt { get; set; }
}
