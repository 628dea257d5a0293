using Hub.Errors;
using Hub.Partitions;
using Hub.Topics;

namespace Hub.Tests.Partitions;

/// <summary>The one leader lookup (<see cref="TopicMetadata.LeaderKey"/>) and the one stale-metadata rule every front door uses.</summary>
public sealed class StaleMetadataTests
{
    /// <summary>The codes that mean "refresh the topic's metadata and retry": Kafka's invalid-metadata errors Hub returns.</summary>
    internal static readonly ErrorCode[] Stale =
        [ErrorCode.UnknownTopicOrPartition, ErrorCode.NotLeaderOrFollower, ErrorCode.LeaderNotAvailable, ErrorCode.FencedLeaderEpoch, ErrorCode.KafkaStorageError];

    public static TheoryData<ErrorCode> StaleCodes => [.. Stale];

    [Fact]
    public void Exactly_the_unknown_partition_not_leader_no_leader_fenced_epoch_and_storage_errors_are_stale()
    {
        var stale = Enum.GetValues<ErrorCode>().Where(StaleMetadata.IsSignalledBy).ToArray();
        Assert.Equal(Stale.Order(), stale.Order());
    }

    [Fact]
    public void The_leader_key_names_the_partition_on_its_leader_broker()
    {
        var topic = Topic(new PartitionAssignment(0, Leader: 2, LeaderEpoch: 4, Replicas: [2, 0]), new PartitionAssignment(1, Leader: 0, LeaderEpoch: 1, Replicas: [0, 2]));
        Assert.Equal(PartitionKey.Format("orders", 0, 2), topic.LeaderKey(0));
        Assert.Equal(PartitionKey.Format("orders", 1, 0), topic.LeaderKey(1));
    }

    [Fact]
    public void A_partition_without_a_leader_is_refused_with_LEADER_NOT_AVAILABLE()
    {
        var topic = Topic(new PartitionAssignment(0, PartitionAssignment.NoLeader, LeaderEpoch: 3, Replicas: [1]));
        Assert.Equal(ErrorCode.LeaderNotAvailable, Assert.Throws<HubException>(() => topic.LeaderKey(0)).Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void A_partition_the_topic_does_not_have_is_refused_with_UNKNOWN_TOPIC_OR_PARTITION(int partition)
    {
        var topic = Topic(new PartitionAssignment(0, Leader: 1, LeaderEpoch: 0, Replicas: [1]));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Assert.Throws<HubException>(() => topic.LeaderKey(partition)).Code);
    }

    private static TopicMetadata Topic(params PartitionAssignment[] partitions) =>
        new("orders", Guid.NewGuid(), TopicConfig.Default, DateTimeOffset.UnixEpoch, partitions);
}
