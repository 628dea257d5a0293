using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>DescribeLogDirs over real TCP (Confluent.Kafka has no call for it): the broker's directory and the replicas in it.</summary>
[Collection(KafkaCollection.Name)]
public sealed class DescribeLogDirsTests(KafkaCluster kafka)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private sealed record LogDir(short Error, string Path, Dictionary<(string, int), (long Size, long Lag, bool Future)> Replicas, long Total, long Usable);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task The_replicas_asked_for_are_listed_with_the_size_of_their_segments(short version)
    {
        var topic = KafkaCluster.NewTopic("logdirs");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build())
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2 }]);
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);
        // The default replication factor puts a replica of each partition on every broker of the test cluster.
        var before = await DescribeAsync(connection, version, [(topic, [0, 1, 7]), ("no-such-topic", [0])]);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap }).Build())
        {
            for (var i = 0; i < 10; i++) await producer.ProduceAsync(new TopicPartition(topic, new Partition(i % 2)), new Message<Null, string> { Value = new string('x', 1000) });
        }
        var after = await DescribeAsync(connection, version, [(topic, [0, 1, 7]), ("no-such-topic", [0])]);

        Assert.Equal(0, after.Error);
        Assert.True(System.IO.Path.IsPathRooted(after.Path));
        Assert.Equal([(topic, 0), (topic, 1)], before.Replicas.Keys.Order()); // listed before their logs exist
        Assert.Equal([(topic, 0), (topic, 1)], after.Replicas.Keys.Order());
        foreach (var (key, (size, lag, future)) in after.Replicas)
        {
            Assert.True(size >= 5 * 1000, $"{key}: {size} bytes after 5 records of 1,000");
            Assert.True(size > before.Replicas[key].Size);
            Assert.Equal(0, lag);
            Assert.False(future);
        }
        if (version >= 4)
        {
            Assert.True(after.Total > 0);
            Assert.InRange(after.Usable, 0, after.Total);
        }
    }

    [Fact]
    public async Task All_replicas_are_listed_when_no_topic_is_named_and_no_partition_when_a_topic_names_none()
    {
        var topic = KafkaCluster.NewTopic("logdirs-all");
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build())
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1 }]); // a replica on every broker
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = kafka.Bootstrap }).Build())
            await producer.ProduceAsync(topic, new Message<Null, string> { Value = "x" });
        using var connection = await RawKafkaConnection.ConnectAsync(kafka.Bootstrap);

        var all = await DescribeAsync(connection, 3, null);
        var none = await DescribeAsync(connection, 3, [(topic, [])]);

        Assert.Contains((topic, 0), all.Replicas.Keys);
        Assert.Empty(none.Replicas);
    }

    private static async Task<LogDir> DescribeAsync(RawKafkaConnection connection, short version, (string, int[])[]? topics)
    {
        var flexible = version >= 2;
        await connection.SendAsync(ApiKey.DescribeLogDirs, version, 35, RequestBodies.DescribeLogDirs(version, topics), flexibleHeader: flexible);
        var response = await connection.ReceiveAsync(Timeout);
        Assert.NotNull(response);
        var reader = new ProtocolReader(response.AsMemory(flexible ? 5 : 4), flexible); // correlation id (and header's tagged fields)
        Assert.Equal(0, reader.ReadInt32()); // throttle time
        if (version >= 3) Assert.Equal(0, reader.ReadInt16());
        Assert.Equal(1, reader.ReadArrayLength()); // one log directory per broker
        var error = reader.ReadInt16();
        var path = reader.ReadString();
        var replicas = new Dictionary<(string, int), (long, long, bool)>();
        for (var t = reader.ReadArrayLength(); t > 0; t--)
        {
            var name = reader.ReadString();
            for (var p = reader.ReadArrayLength(); p > 0; p--)
            {
                replicas.Add((name, reader.ReadInt32()), (reader.ReadInt64(), reader.ReadInt64(), reader.ReadBool()));
                reader.SkipTaggedFields();
            }
            reader.SkipTaggedFields();
        }
        long total = -1, usable = -1;
        if (version >= 4) (total, usable) = (reader.ReadInt64(), reader.ReadInt64());
        reader.SkipTaggedFields();
        reader.SkipTaggedFields();
        Assert.Equal(0, reader.Remaining);
        return new LogDir(error, path, replicas, total, usable);
    }
}
