using Hub.Client;
using Hub.Client.Partitioning;
using Hub.Client.Producing;
using Hub.Errors;

namespace Hub.Tests.Client;

public class ProducerTopicTests
{
    private readonly RecordAccumulator _accumulator =
        new(new ProducerOptions { EnableIdempotence = false }.Validated(), (_, _, _) => throw new NotSupportedException(), identity: null, TimeProvider.System);

    [Fact]
    public void Records_produced_before_the_metadata_arrives_are_routed_in_order_when_it_does()
    {
        var topic = new ProducerTopic("t", new StickyPartitioner());
        var first = new ProducerRecord { Value = [1] };
        var second = new ProducerRecord { Value = [2] };
        Assert.True(topic.TryPark(first, default));
        Assert.True(topic.TryPark(second, default));

        var routed = new List<(ProducerRecord Record, int Partitions)>();
        topic.Open(3, _accumulator.CreateQueue, (_, partitions, record, _) => routed.Add((record, partitions.Length)));

        Assert.Equal([(first, 3), (second, 3)], routed);
        Assert.False(topic.TryPark(new ProducerRecord(), default));
        Assert.Equal(3, topic.PartitionCount);
    }

    [Fact]
    public void When_the_topic_cannot_be_opened_its_records_fail()
    {
        var topic = new ProducerTopic("t", new StickyPartitioner());
        var errors = new List<Exception?>();
        var delivery = new PendingDelivery(0, (_, error) => errors.Add(error), completion: null);
        topic.TryPark(new ProducerRecord(), delivery);
        var missing = new HubException(ErrorCode.UnknownTopicOrPartition, "topic 't' does not exist");

        topic.Fail(missing);
        Assert.True(topic.TryPark(new ProducerRecord(), delivery));

        Assert.Equal([missing, missing], errors);
    }

    [Fact]
    public void Growing_keeps_the_existing_partition_queues()
    {
        var topic = new ProducerTopic("t", new StickyPartitioner());
        topic.Open(2, _accumulator.CreateQueue, (_, _, _, _) => { });
        var before = topic.Partitions!;

        topic.GrowTo(5, _accumulator.CreateQueue);

        Assert.Equal(5, topic.PartitionCount);
        Assert.Same(before[0], topic.Partitions![0]);
        Assert.Same(before[1], topic.Partitions![1]);
        Assert.Equal([0, 1, 2, 3, 4], topic.Partitions.Select(p => p.Partition));
    }
}
