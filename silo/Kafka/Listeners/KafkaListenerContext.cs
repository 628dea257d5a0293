using Hub.Silo.Kafka.Limits;
using Hub.Silo.Kafka.Sasl;

namespace Hub.Silo.Kafka.Listeners;

/// <summary>What each connection of one listener needs to know: its spec, TLS, SASL mechanisms, limits and the silo's request budget.</summary>
internal sealed record KafkaListenerContext(
    KafkaListenerSpec Spec,
    KafkaTlsServer? Tls,
    IReadOnlyList<string> SaslMechanisms,
    CredentialLookup Credentials,
    int MaxRequestBytes,
    TimeSpan MaxIdle,
    TimeSpan ReceiveTimeout,
    RequestBytesBudget Budget,
    OAuthBearerValidator? OAuthBearer = null);
