using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis;

/// <summary>
/// One Kafka API: the versions Hub implements fully (and so advertises in ApiVersions), and how to answer a
/// request. Handlers decode synchronously (the reader is a ref struct), call grains, then encode.
/// </summary>
internal interface IKafkaApi
{
    ApiKey Key { get; }

    short MinVersion { get; }

    short MaxVersion { get; }

    /// <summary>The first flexible version (request header v2, response header v1, compact encodings).</summary>
    short FirstFlexibleVersion { get; }

    /// <summary>
    /// Writes the response body after the header the connection has written; returns false when the request
    /// gets no response at all (Produce with acks=0). Malformed input throws <see cref="KafkaProtocolException"/>.
    /// </summary>
    Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken);
}
