using System.Net;
using Hub.Silo.Kafka.Listeners;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Sasl;

namespace Hub.Silo.Kafka.Transport;

/// <summary>
/// What a request knows of its connection: the listener it came in on, the peer, and who the peer is (its TLS
/// certificate's subject, or its SASL user once authenticated).
/// </summary>
internal sealed class KafkaSession(string listener, EndPoint? remote, string tlsPrincipal, SaslSession? sasl)
{
    public string Listener { get; } = listener;

    public EndPoint? Remote { get; } = remote;

    /// <summary>The connection's SASL state on a SASL listener; null on others.</summary>
    public SaslSession? Sasl { get; } = sasl;

    /// <summary>Kafka's principal of the peer: the SASL user on a SASL listener, else the TLS client's subject or ANONYMOUS.</summary>
    public string Principal => Sasl?.User is { } user ? KafkaPrincipal.User(user) : tlsPrincipal;

    /// <summary>The principal's name without its type ("alice" for User:alice): what client quotas name as the user.</summary>
    public string UserName => Principal[(Principal.IndexOf(':') + 1)..];

    /// <summary>Set by a handler whose response ends the connection (a failed authentication), as Kafka closes it.</summary>
    public bool CloseAfterResponse { get; set; }

    /// <summary>Whether the connection may send this request now: before SASL completes, only the APIs that lead to it.</summary>
    public bool Allows(ApiKey key) => Sasl?.Allows(key) ?? true;

    /// <summary>A session for tests and tools that call an API directly: the default listener, anonymous.</summary>
    public static KafkaSession Anonymous(EndPoint? remote = null) => new(KafkaListenerSpec.DefaultName, remote, KafkaPrincipal.Anonymous, sasl: null);
}
