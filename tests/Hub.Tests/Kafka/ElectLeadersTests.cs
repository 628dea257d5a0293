using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Hub.Tests.Kafka;

/// <summary>ElectLeaders through Confluent.Kafka's admin client on one broker, which leads every partition it prefers.</summary>
[Collection(KafkaCollection.Name)]
public sealed class ElectLeadersTests(KafkaCluster kafka)
{
    [Theory]
    [InlineData(ElectionType.Preferred)]
    [InlineData(ElectionType.Unclean)]
    public async Task A_partition_led_by_its_preferred_live_replica_needs_no_election_and_an_unknown_one_is_unknown(ElectionType type)
    {
        var topic = KafkaCluster.NewTopic("elect");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1 }]);
        var before = (await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]))).TopicDescriptions[0].Partitions[0];

        var results = await ElectAsync(admin, type, [new TopicPartition(topic, 0), new TopicPartition(topic, 5)]);

        Assert.Equal(Confluent.Kafka.ErrorCode.ElectionNotNeeded, results.Single(r => r.Partition == 0).Error.Code);
        Assert.Equal(Confluent.Kafka.ErrorCode.UnknownTopicOrPart, results.Single(r => r.Partition == 5).Error.Code);
        var after = (await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames([topic]))).TopicDescriptions[0].Partitions[0];
        Assert.Equal(before.Leader.Id, after.Leader.Id);
    }

    /// <summary>Each partition's result, whether the client reports them as a result or, for any error, as an exception.</summary>
    private static async Task<List<TopicPartitionError>> ElectAsync(IAdminClient admin, ElectionType type, TopicPartition[] partitions)
    {
        try
        {
            return (await admin.ElectLeadersAsync(type, partitions)).TopicPartitions;
        }
        catch (ElectLeadersException e)
        {
            return e.Results.TopicPartitions;
        }
    }
}
