using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Transport;

/// <summary>What a connection hands each request frame to, so the transport knows nothing of the APIs behind it.</summary>
internal interface IRequestHandler
{
    /// <summary>
    /// Writes the whole response (size prefix, header, body) into <paramref name="response"/>; returns false when
    /// the request gets no response (Produce with acks=0). The frame stays valid until the task completes (past it
    /// only through a <see cref="RequestLease.Loan"/>). Input that makes the byte stream untrustworthy throws
    /// <see cref="KafkaProtocolException"/>.
    /// </summary>
    Task<bool> HandleAsync(RequestLease frame, KafkaSession session, ProtocolWriter response, CancellationToken cancellationToken);
}
