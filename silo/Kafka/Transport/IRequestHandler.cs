using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Transport;

/// <summary>What a connection hands each request frame to, so the transport knows nothing of the APIs behind it.</summary>
internal interface IRequestHandler
{
    /// <summary>
    /// Writes the whole response (size prefix, header, body) into <paramref name="response"/>; the answer says whether
    /// there is one (not for Produce with acks=0) and how long to read nothing more from the client after it. The
    /// frame stays valid until the task completes (past it only through a <see cref="RequestLease.Loan"/>). Input that
    /// makes the byte stream untrustworthy throws <see cref="KafkaProtocolException"/>.
    /// </summary>
    Task<HandledRequest> HandleAsync(RequestLease frame, KafkaSession session, ProtocolWriter response, CancellationToken cancellationToken);
}

/// <summary>What became of a request: whether it has a response to send, and how long its connection stays muted after it.</summary>
internal readonly record struct HandledRequest(bool Respond, TimeSpan MuteFor);
