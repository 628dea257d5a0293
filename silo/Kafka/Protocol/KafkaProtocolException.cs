namespace Hub.Silo.Kafka.Protocol;

/// <summary>
/// A request that cannot be parsed (a length past the frame's end, an invalid varint, a null where none is
/// allowed, an unknown API). Kafka closes the connection on these rather than answering, since the
/// correlation between requests and responses can no longer be trusted; so does Hub.
/// </summary>
internal sealed class KafkaProtocolException(string message) : Exception(message);
