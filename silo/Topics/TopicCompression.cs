using Hub.Batches;
using Hub.Errors;
using Hub.Topics;

namespace Hub.Silo.Topics;

/// <summary>
/// A topic's compression.type: Kafka's broker values (producer, uncompressed, gzip, snappy, lz4, zstd; Kafka's
/// BrokerCompressionType), "none" as the producer's name for uncompressed, and the codec a leader stores batches with.
/// </summary>
internal static class TopicCompression
{
    /// <summary><paramref name="value"/> when it is one of Kafka's compression.type values; INVALID_CONFIG otherwise.</summary>
    public static string Validated(string value) => value switch
    {
        TopicConfig.ProducerCompression or "uncompressed" or "none" or "gzip" or "snappy" or "lz4" or "zstd" => value,
        _ => throw new HubException(ErrorCode.InvalidConfig,
            $"{TopicConfig.CompressionTypeKey} must be one of producer, uncompressed (or none), gzip, snappy, lz4, zstd; got '{value}'"),
    };

    /// <summary>The codec the topic stores batches with; null for "producer", which keeps each batch's own.</summary>
    public static CompressionType? StoredCodec(TopicConfig config) => config.CompressionType switch
    {
        "uncompressed" or "none" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => null,
    };
}
