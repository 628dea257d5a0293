using System.Text;
using Hub.Batches;
using Hub.Client.Partitioning;

namespace Hub.Tests.Kafka;

/// <summary>kafkajs 2.2 (node; Metadata v6, Produce v7, Fetch v11, the v5/v3 group APIs, no flexible versions) against the silo's Kafka listener.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkajsTests(KafkaCluster kafka)
{
    private sealed record Broker(int NodeId, string Host, int Port);
    private sealed record PartitionMetadata(int PartitionErrorCode, int PartitionId, int Leader, int[] Replicas, int[] Isr);
    private sealed record TopicMetadata(string Name, PartitionMetadata[] Partitions);
    private sealed record MetadataResult(Broker[] Brokers, int Controller, TopicMetadata[] Topics, bool Listed);

    [KafkajsFact]
    public async Task Kafkajs_sees_the_broker_and_the_topics_partitions()
    {
        var topic = await CreateTopicAsync("js-meta", 3);
        var result = await Kafkajs.RunAsync<MetadataResult>("metadata", kafka.Bootstrap, topic);

        var broker = Assert.Single(result.Brokers);
        Assert.Equal(kafka.Bootstrap, $"{broker.Host}:{broker.Port}");
        Assert.Equal(broker.NodeId, result.Controller);
        Assert.True(result.Listed);
        var partitions = Assert.Single(result.Topics, t => t.Name == topic).Partitions;
        Assert.Equal([0, 1, 2], partitions.Select(p => p.PartitionId).Order());
        Assert.All(partitions, p =>
        {
            Assert.Equal((0, broker.NodeId), (p.PartitionErrorCode, p.Leader));
            Assert.Equal([broker.NodeId], p.Replicas);
        });
    }

    [KafkajsFact]
    public async Task Kafkajs_round_trips_keys_headers_null_keys_and_null_values()
    {
        var topic = await CreateTopicAsync("js-roundtrip", 1);
        var records = await Kafkajs.RunAsync<Kafkajs.Message[]>("roundtrip", kafka.Bootstrap, topic);

        Assert.Equal(["0", "1", "2", "3"], records.Select(r => r.Offset));
        Assert.Equal(("k1", "v1"), (records[0].KeyText, records[0].ValueText));
        Assert.Equal([new Kafkajs.Header("trace", Base64("t-1")), new Kafkajs.Header("empty", "")], records[0].Headers);
        Assert.Equal((null, "no key"), (records[1].Key, records[1].ValueText));
        Assert.Equal(("tombstone", null), (records[2].KeyText, records[2].Value));
        Assert.Equal(("", ""), (records[3].KeyText, records[3].ValueText));
    }

    [KafkajsFact]
    public async Task Kafkajs_keyed_records_land_on_kafkas_murmur2_partition()
    {
        const int partitions = 6;
        var topic = await CreateTopicAsync("js-keyed", partitions);
        var records = await Kafkajs.RunAsync<Kafkajs.Message[]>("keyed", kafka.Bootstrap, topic, 40);

        Assert.Equal(40, records.Select(r => r.KeyText).Distinct().Count());
        Assert.True(records.Select(r => r.Partition).Distinct().Count() > 1, "40 keys should spread over several partitions");
        foreach (var record in records)
            Assert.Equal(KeyPartitioner.PartitionFor(Encoding.UTF8.GetBytes(record.KeyText!), partitions), record.Partition);
    }

    private sealed record PartitionOffsets(int Partition, string Offset, string? High, string? Low);
    private sealed record OffsetsResult(PartitionOffsets[] Offsets, Dictionary<string, PartitionOffsets[]> ByTimestamp);

    [KafkajsFact]
    public async Task Kafkajs_admin_reads_earliest_latest_and_by_timestamp_offsets()
    {
        var topic = await CreateTopicAsync("js-offsets", 1);
        const long baseTime = 1_700_000_000_000;
        long between = baseTime + 4500, exact = baseTime + 2000, afterAll = baseTime + 60_000;
        var result = await Kafkajs.RunAsync<OffsetsResult>("offsets", kafka.Bootstrap, topic, baseTime, between, exact, afterAll);

        var offsets = Assert.Single(result.Offsets);
        Assert.Equal(("0", "10"), (offsets.Low, offsets.High));
        Assert.Equal("5", Assert.Single(result.ByTimestamp[$"{between}"]).Offset);
        Assert.Equal("2", Assert.Single(result.ByTimestamp[$"{exact}"]).Offset);
        // No record is that late: Kafka answers -1, which kafkajs turns into the latest offset.
        Assert.Equal("10", Assert.Single(result.ByTimestamp[$"{afterAll}"]).Offset);
    }

    private sealed record GroupResult(int[][] Assignments, Kafkajs.Message[][] Received, Kafkajs.Message[] Resumed);

    [KafkajsFact]
    public async Task Kafkajs_group_members_split_partitions_and_a_successor_resumes_from_committed_offsets()
    {
        const int partitions = 6, records = 60;
        var topic = await CreateTopicAsync("js-group", partitions);
        var group = KafkaCluster.NewTopic("js-g");
        var result = await Kafkajs.RunAsync<GroupResult>("group", kafka.Bootstrap, topic, group, 3, partitions, records);

        Assert.All(result.Assignments, a => Assert.NotEmpty(a));
        Assert.Equal(Enumerable.Range(0, partitions), result.Assignments.SelectMany(a => a).Order());
        var received = result.Received.SelectMany(r => r).Select(m => m.ValueText).ToList();
        Assert.Equal(Enumerable.Range(0, records).Select(i => $"first-{i}").Order(), received.Order());
        for (var member = 0; member < result.Received.Length; member++)
            Assert.All(result.Received[member], m => Assert.Contains(m.Partition, result.Assignments[member]));
        // Only what was produced after the first members left: they committed everything they read.
        Assert.Equal(Enumerable.Range(0, partitions).Select(i => $"second-{i}").Order(), result.Resumed.Select(m => m.ValueText).Order());
    }

    [KafkajsFact]
    public async Task Kafkajs_idempotent_producer_writes_each_record_once_with_its_producer_id_and_sequences()
    {
        var topic = await CreateTopicAsync("js-idempotent", 1);
        var records = await Kafkajs.RunAsync<Kafkajs.Message[]>("idempotent", kafka.Bootstrap, topic, 5, 10);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i}"), records.Select(r => r.ValueText));
        var batches = await kafka.StoredBatchesAsync(topic);
        Assert.Equal(50, batches.Sum(b => b.RecordCount));
        Assert.All(batches, b => Assert.Equal(batches[0].ProducerId, b.ProducerId));
        Assert.True(batches[0].ProducerId >= 0);
        Assert.Equal(batches.Select(b => b.BaseSequence), batches.Select(b => (int)b.BaseOffset));
    }

    [KafkajsTheory]
    [InlineData("GZIP", CompressionType.Gzip)]
    [InlineData("Snappy", CompressionType.Snappy)]
    [InlineData("LZ4", CompressionType.Lz4)]
    [InlineData("ZSTD", CompressionType.Zstd)]
    public async Task Kafkajs_compressed_batches_round_trip_and_are_stored_compressed(string codec, CompressionType stored)
    {
        var topic = await CreateTopicAsync($"js-{codec}".ToLowerInvariant(), 1);
        var records = await Kafkajs.RunAsync<Kafkajs.Message[]>("compression", kafka.Bootstrap, topic, codec, 50);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"record {i} {new string('x', 100)}"), records.Select(r => r.ValueText));
        Assert.Equal([stored], await kafka.StoredCompressionAsync(topic));
    }

    private async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var topic = KafkaCluster.NewTopic(prefix);
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, partitions);
        return topic;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
