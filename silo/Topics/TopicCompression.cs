using Hub.Batches;
using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Topics;

/// <summary>
/// A topic's compression.type: Kafka's broker values (Kafka's BrokerCompressionType), and the codec a leader
/// stores batches with. The producer's "none" is refused, as Kafka's broker refuses it.
/// </summary>
internal static class TopicCompression
{
    /// <summary><paramref name="value"/> when it is one of Kafka's compression.type values; INVALID_CONFIG otherwise.</summary>
    public static string Validated(string value) => value switch
    {
        TopicConfig.ProducerCompression or "uncompressed" or "gzip" or "snappy" or "lz4" or "zstd" => value,
        _ => throw new HubException(ErrorCode.InvalidConfig,
            $"{TopicConfig.CompressionTypeKey} must be one of uncompressed, zstd, lz4, snappy, gzip, producer; got '{value}'"),
    };

    /// <summary>The codec the topic stores batches with; null for "producer", which keeps each batch's own.</summary>
    public static CompressionType? StoredCodec(TopicConfig config) => config.CompressionType switch
    {
        "uncompressed" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => null,
    };
}
