using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis;

/// <summary>A handler's key and versions, declared once in its class line; the handling is the handler's own.</summary>
internal abstract class KafkaApi(ApiKey key, short minVersion, short maxVersion, short firstFlexibleVersion) : IKafkaApi
{
    public ApiKey Key => key;

    public short MinVersion => minVersion;

    public short MaxVersion => maxVersion;

    public short FirstFlexibleVersion => firstFlexibleVersion;

    public abstract Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken);
}
