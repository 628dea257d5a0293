using Hub.Batches;

namespace Hub.Tests.Kafka;

/// <summary>
/// sarama 1.22.1 (Go, Debian's package; its own protocol code, configured as for Kafka 2.2, the newest it knows:
/// Metadata v5, Produce v3 with an idempotent producer, Fetch v4, JoinGroup v1, OffsetCommit v2) against the silo's Kafka listener (issue 20: its produce was once refused
/// for a max timestamp of -1, and its consumer couldn't decode Fetch v4).
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class SaramaTests(KafkaCluster kafka)
{
    [SaramaFact]
    public async Task A_second_member_of_the_group_resumes_where_the_first_committed()
    {
        var topic = KafkaCluster.NewTopic("go-group");
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 2);

        var result = await Sarama.GroupAsync(kafka.Bootstrap, topic, KafkaCluster.NewTopic("go-g"));

        result.AssertEveryRecordOnce();
    }

    [SaramaTheory]
    [InlineData("none", CompressionType.None)]
    [InlineData("gzip", CompressionType.Gzip)]
    [InlineData("snappy", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    public async Task Idempotent_compressed_batches_round_trip_and_are_stored_as_sent(string codec, CompressionType stored)
    {
        const int count = 50;
        var topic = KafkaCluster.NewTopic($"go-{codec}");
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, 1);

        var values = await Sarama.RoundTripAsync(kafka.Bootstrap, topic, codec, count);

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"value-{i}"), values);
        var batches = await kafka.StoredBatchesAsync(topic);
        Assert.Equal(count, batches.Sum(b => b.RecordCount));
        Assert.All(batches, b => Assert.Equal(stored, b.Compression));
        // Idempotence was on: each batch carries the producer id Hub gave sarama.
        Assert.All(batches, b => Assert.True(b.ProducerId >= 0, $"batch at {b.BaseOffset} has no producer id"));
    }
}
