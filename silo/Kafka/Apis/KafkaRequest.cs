using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;

namespace Hub.Silo.Kafka.Apis;

/// <summary>
/// One parsed request header and its body: a slice of the request frame, valid until the handler's task
/// completes; a grain call that reads the body in place holds it longer through <see cref="LendBody"/>.
/// </summary>
internal sealed class KafkaRequest(RequestHeader header, RequestLease frame, ReadOnlyMemory<byte> body, bool flexible, KafkaSession session)
{
    public RequestHeader Header { get; } = header;

    public short Version => Header.ApiVersion;

    /// <summary>Whether this version uses flexible encodings (compact types, tagged fields).</summary>
    public bool Flexible { get; } = flexible;

    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>The connection it came on: listener, peer, principal.</summary>
    public KafkaSession Session { get; } = session;

    /// <summary>
    /// How long the client must wait after the response (a quota's throttle time, also in the response's
    /// throttle_time_ms); its connection reads nothing from it meanwhile, as Kafka mutes a throttled client's channel.
    /// </summary>
    public TimeSpan Throttle { get; set; }

    /// <summary>A reader over the body with this version's encodings.</summary>
    public ProtocolReader Reader() => new(Body, Flexible);

    /// <summary>
    /// Keeps the body's bytes out of the pool until the loan is disposed: for a grain call given a slice of the
    /// body, whose loan is disposed once the call answered and never when it gave up (see <see cref="RequestLease"/>).
    /// </summary>
    public RequestLease.Loan LendBody() => frame.Lend();
}
