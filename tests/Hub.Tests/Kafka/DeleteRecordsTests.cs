using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Tests.Cluster;

namespace Hub.Tests.Kafka;

/// <summary>DeleteRecords through Confluent.Kafka's admin client: the log start moves, durably (its own cluster: the test restarts it).</summary>
public sealed class DeleteRecordsTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Records_before_the_offset_are_gone_for_consumers_and_listings_and_stay_gone_after_a_restart()
    {
        var topic = KafkaCluster.NewTopic("purge");
        var partition = new TopicPartition(topic, 0);
        using (var admin = Admin())
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1 }]);
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = _cluster.KafkaBootstrap }).Build())
        {
            for (var i = 0; i < 100; i++) producer.Produce(partition, new Message<Null, string> { Value = $"r{i}" });
            Assert.Equal(0, producer.Flush(Bound));
        }

        using (var admin = Admin())
        {
            var deleted = await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, 40)]);
            Assert.Equal(40, Assert.Single(deleted).Offset.Value); // the low watermark

            var refused = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, 101)]));
            Assert.Equal(Confluent.Kafka.ErrorCode.OffsetOutOfRange, Assert.Single(refused.Results).Error.Code);
        }
        Assert.Equal((40, "r40"), FirstFromBeginning(partition));
        Assert.Equal(40, LowWatermark(partition));

        _cluster = await _cluster.RestartAsync();

        Assert.Equal(40, LowWatermark(partition));
        Assert.Equal((40, "r40"), FirstFromBeginning(partition));
        using (var admin = Admin())
        {
            var all = await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, Offset.End)]); // -1: the high watermark
            Assert.Equal(100, Assert.Single(all).Offset.Value);
        }
        Assert.Equal(100, LowWatermark(partition));
    }

    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.KafkaBootstrap }).Build();

    private long LowWatermark(TopicPartition partition)
    {
        using var consumer = Consumer();
        return consumer.QueryWatermarkOffsets(partition, Bound).Low.Value;
    }

    private (long Offset, string Value) FirstFromBeginning(TopicPartition partition)
    {
        using var consumer = Consumer();
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        var result = consumer.Consume(Bound);
        Assert.NotNull(result);
        return (result.Offset.Value, result.Message.Value);
    }

    private IConsumer<Null, string> Consumer() => new ConsumerBuilder<Null, string>(new ConsumerConfig
    {
        BootstrapServers = _cluster.KafkaBootstrap,
        GroupId = "purge-reader",
        EnableAutoCommit = false,
    }).Build();
}
