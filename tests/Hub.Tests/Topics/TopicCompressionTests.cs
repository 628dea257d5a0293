using Hub.Batches;
using Hub.Errors;
using Hub.Silo.Topics;
using Hub.Topics;

namespace Hub.Tests.Topics;

/// <summary>compression.type takes Kafka's broker values (not the producer's "none"), defaults to "producer" and names the codec a leader stores with.</summary>
public sealed class TopicCompressionTests
{
    [Theory]
    [InlineData("producer", null)]
    [InlineData("uncompressed", CompressionType.None)]
    [InlineData("gzip", CompressionType.Gzip)]
    [InlineData("snappy", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    public void Each_value_is_accepted_and_names_its_codec(string value, CompressionType? codec)
    {
        var config = TopicConfigParser.Parse(new Dictionary<string, string> { [TopicConfig.CompressionTypeKey] = value });

        Assert.Equal(value, config.CompressionType);
        Assert.Equal(value, TopicConfigParser.Format(config)[TopicConfig.CompressionTypeKey]);
        Assert.Equal(codec, TopicCompression.StoredCodec(config));
    }

    [Fact]
    public void The_default_keeps_the_producers_codec_and_others_are_refused()
    {
        Assert.Equal("producer", TopicConfigParser.Format(TopicConfig.Default)[TopicConfig.CompressionTypeKey]);
        Assert.Null(TopicCompression.StoredCodec(TopicConfig.Default));

        var refused = Assert.Throws<HubException>(() => TopicConfigParser.Parse(new Dictionary<string, string> { [TopicConfig.CompressionTypeKey] = "brotli" }));
        Assert.Equal(ErrorCode.InvalidConfig, refused.Code);
        Assert.Contains("brotli", refused.Message);
    }

    [Fact]
    public void None_the_producers_name_is_refused_as_kafkas_broker_refuses_it()
    {
        var refused = Assert.Throws<HubException>(() => TopicConfigParser.Parse(new Dictionary<string, string> { [TopicConfig.CompressionTypeKey] = "none" }));

        Assert.Equal(ErrorCode.InvalidConfig, refused.Code);
        Assert.Contains("uncompressed, zstd, lz4, snappy, gzip, producer", refused.Message);
    }
}
