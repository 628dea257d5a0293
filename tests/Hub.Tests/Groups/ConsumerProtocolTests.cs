using Hub.Errors;
using Hub.Groups;

namespace Hub.Tests.Groups;

public sealed class ConsumerProtocolTests
{
    [Fact]
    public void Subscription_round_trips()
    {
        var subscription = new ConsumerSubscription(["orders", "audit"], [new("orders", 1), new("orders", 4), new("audit", 0)], 7, [1, 2], "rack-a");
        var decoded = ConsumerProtocol.DecodeSubscription(ConsumerProtocol.EncodeSubscription(subscription));
        Assert.Equal(subscription.Topics, decoded.Topics);
        Assert.Equal(subscription.OwnedPartitions, decoded.OwnedPartitions);
        Assert.Equal(7, decoded.GenerationId);
        Assert.Equal([1, 2], decoded.UserData);
        Assert.Equal("rack-a", decoded.RackId);
    }

    [Fact]
    public void Reads_a_version_0_subscription_as_a_kafka_client_writes_it()
    {
        // version 0, topics ["t"], user data null
        byte[] bytes = [0, 0, 0, 0, 0, 1, 0, 1, (byte)'t', 0xFF, 0xFF, 0xFF, 0xFF];
        var decoded = ConsumerProtocol.DecodeSubscription(bytes);
        Assert.Equal(["t"], decoded.Topics);
        Assert.Empty(decoded.OwnedPartitions);
        Assert.Equal(-1, decoded.GenerationId);
    }

    [Fact]
    public void Assignment_round_trips_and_empty_bytes_mean_nothing_assigned()
    {
        TopicPartition[] partitions = [new("a", 0), new("a", 2), new("b", 1)];
        Assert.Equal(partitions, ConsumerProtocol.DecodeAssignment(ConsumerProtocol.EncodeAssignment(partitions)));
        // version 1, one topic "a" with partitions [0, 2], null user data: as Kafka's Java client writes it
        byte[] kafka = [0, 1, 0, 0, 0, 1, 0, 1, (byte)'a', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF];
        Assert.Equal([new TopicPartition("a", 0), new TopicPartition("a", 2)], ConsumerProtocol.DecodeAssignment(kafka));
        Assert.Empty(ConsumerProtocol.DecodeAssignment([]));
    }

    [Theory]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 1, 0x7F, 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0, 1, 0, 0, 0, 1, 0, 9, (byte)'t' })]
    public void Garbage_is_refused_as_an_inconsistent_protocol(byte[] bytes)
    {
        var error = Assert.Throws<HubException>(() => ConsumerProtocol.DecodeSubscription(bytes));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, error.Code);
    }
}
