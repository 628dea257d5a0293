using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Silo.Kafka.Protocol;
using HubErrorCode = Hub.Errors.ErrorCode;

namespace Hub.Tests.Kafka;

/// <summary>DescribeTopicPartitions (KIP-966) over real TCP: what Metadata says of each partition, paged by limit and cursor.</summary>
[Collection(KafkaCollection.Name)]
public sealed class DescribeTopicPartitionsTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private sealed record Partition(int Index, short Error, int Leader, int[] Replicas, int[] Isr, int[] Elr, int[] LastKnownElr, int[] Offline);

    private sealed record Topic(short Error, string? Name, Guid Id, List<Partition> Partitions, int Operations);

    [Fact]
    public async Task Pages_of_two_partitions_cover_every_partition_once_with_what_the_admin_client_describes()
    {
        var prefix = KafkaCluster.NewTopic("dtp");
        string[] names = [prefix + "-a", prefix + "-b"];
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = names[0], NumPartitions = 3 }, new TopicSpecification { Name = names[1], NumPartitions = 2 }]);
        var described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(names));

        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        var seen = new List<(string, Partition)>();
        (string, int)? cursor = null;
        var pages = 0;
        do
        {
            var (topics, next) = await DescribeAsync(connection, [names[1], names[0]], limit: 2, cursor);
            pages++;
            Assert.Equal(next is null ? 1 : 2, topics.Sum(t => t.Partitions.Count)); // 5 partitions: 2, 2, then 1
            foreach (var topic in topics)
            {
                Assert.Equal(0, topic.Error);
                var expected = described.TopicDescriptions.Single(d => d.Name == topic.Name);
                Assert.Equal(expected.TopicId.ToString(), ToKafkaUuid(topic.Id));
                Assert.NotEqual(int.MinValue, topic.Operations); // always reported, as by Kafka
                seen.AddRange(topic.Partitions.Select(p => (topic.Name!, p)));
            }
            cursor = next;
        }
        while (cursor is not null && pages < 5);

        Assert.Equal(3, pages);

        Assert.Null(cursor);
        Assert.Equal([(names[0], 0), (names[0], 1), (names[0], 2), (names[1], 0), (names[1], 1)], seen.Select(s => (s.Item1, s.Item2.Index)));
        foreach (var (name, partition) in seen)
        {
            var expected = described.TopicDescriptions.Single(d => d.Name == name).Partitions[partition.Index];
            Assert.Equal(0, partition.Error);
            Assert.Equal(expected.Leader.Id, partition.Leader);
            Assert.Equal(expected.Replicas.Select(r => r.Id), partition.Replicas);
            Assert.Equal(expected.ISR.Select(r => r.Id), partition.Isr);
            Assert.Empty(partition.Elr);
            Assert.Empty(partition.LastKnownElr);
            Assert.Empty(partition.Offline);
        }
    }

    [Fact]
    public async Task Every_topic_is_listed_when_none_is_named()
    {
        var name = KafkaCluster.NewTopic("dtp-all");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = 2 }]);
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);

        var (topics, next) = await DescribeAsync(connection, [], limit: 2000, cursor: (name, 0));

        Assert.Equal(name, topics[0].Name); // the cursor's topic first: every topic before it is left out
        Assert.Equal([0, 1], topics[0].Partitions.Select(p => p.Index));
        Assert.All(topics, t => Assert.True(string.CompareOrdinal(t.Name, name) >= 0));
        Assert.Null(next);
    }

    [Fact]
    public async Task Unknown_and_invalid_topics_get_their_errors_and_a_cursor_outside_the_request_is_invalid()
    {
        var unknown = KafkaCluster.NewTopic("dtp-none");
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);

        var (topics, next) = await DescribeAsync(connection, [unknown, "bad/name"], limit: 10);
        Assert.Null(next);
        Assert.Equal((short)HubErrorCode.InvalidTopic, topics.Single(t => t.Name == "bad/name").Error);
        var missing = topics.Single(t => t.Name == unknown);
        Assert.Equal((short)HubErrorCode.UnknownTopicOrPartition, missing.Error);
        Assert.Equal(Guid.Empty, missing.Id);
        Assert.Empty(missing.Partitions);

        var (refused, _) = await DescribeAsync(connection, [unknown], limit: 10, cursor: ("another", 0));
        Assert.Equal((short)HubErrorCode.InvalidRequest, Assert.Single(refused).Error);
        var (negative, _) = await DescribeAsync(connection, [unknown], limit: 10, cursor: (unknown, -1));
        Assert.Equal((short)HubErrorCode.InvalidRequest, Assert.Single(negative).Error);
    }

    /// <summary>Kafka's text form of a topic id as Confluent.Kafka prints it: base64 of its 16 bytes, unpadded.</summary>
    private static string ToKafkaUuid(Guid id)
    {
        var bytes = new byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=');
    }

    private static async Task<(List<Topic> Topics, (string, int)? Next)> DescribeAsync(RawKafkaConnection connection, string[] names, int limit,
        (string, int)? cursor = null)
    {
        await connection.SendAsync(ApiKey.DescribeTopicPartitions, 0, 75, RequestBodies.DescribeTopicPartitions(names, limit, cursor), flexibleHeader: true);
        var response = await connection.ReceiveAsync(Timeout);
        Assert.NotNull(response);
        var reader = new ProtocolReader(response.AsMemory(5), flexible: true); // correlation id, header's tagged fields
        Assert.Equal(0, reader.ReadInt32()); // throttle time
        var topics = new List<Topic>();
        for (var i = reader.ReadArrayLength(); i > 0; i--)
        {
            var error = reader.ReadInt16();
            var name = reader.ReadNullableString();
            var id = reader.ReadUuid();
            Assert.False(reader.ReadBool()); // internal
            var partitions = new List<Partition>();
            for (var p = reader.ReadArrayLength(); p > 0; p--)
            {
                var partitionError = reader.ReadInt16();
                var index = reader.ReadInt32();
                var leader = reader.ReadInt32();
                reader.ReadInt32(); // leader epoch
                partitions.Add(new Partition(index, partitionError, leader, Ints(ref reader), Ints(ref reader), Ints(ref reader), Ints(ref reader), Ints(ref reader)));
                reader.SkipTaggedFields();
            }
            topics.Add(new Topic(error, name, id, partitions, reader.ReadInt32()));
            reader.SkipTaggedFields();
        }
        (string, int)? next = null;
        if (reader.ReadInt8() >= 0)
        {
            next = (reader.ReadString(), reader.ReadInt32());
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return (topics, next);
    }

    private static int[] Ints(ref ProtocolReader reader)
    {
        var values = new int[Math.Max(0, reader.ReadArrayLength())];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadInt32();
        return values;
    }
}
