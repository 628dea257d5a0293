using Hub.Batches;
using Hub.Topics;

namespace Hub.Silo.Topics;

/// <summary>
/// A topic's compression.type (Kafka's BrokerCompressionType values, checked by <see cref="KafkaTopicConfigs"/>: the
/// producer's "none" is refused, as Kafka's broker refuses it), and the codec a leader stores batches with.
/// </summary>
internal static class TopicCompression
{
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
