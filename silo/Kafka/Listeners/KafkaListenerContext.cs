using Hub.Silo.Kafka.Sasl;

namespace Hub.Silo.Kafka.Listeners;

/// <summary>What each connection of one listener needs to know: its spec, TLS, SASL mechanisms and limits.</summary>
internal sealed record KafkaListenerContext(
    KafkaListenerSpec Spec,
    KafkaTlsServer? Tls,
    IReadOnlyList<string> SaslMechanisms,
    CredentialLookup Credentials,
    int MaxRequestBytes,
    TimeSpan MaxIdle);
