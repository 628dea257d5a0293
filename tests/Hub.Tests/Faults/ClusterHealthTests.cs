using Hub.Faults.Cluster;
using Hub.Topics;

namespace Hub.Tests.Faults;

public sealed class ClusterHealthTests
{
    private static readonly HashSet<int> All = [0, 1, 2];

    [Fact]
    public void Every_broker_active_and_every_isr_full_is_healthy() =>
        Assert.Null(ClusterHealth.Unhealthy(Topic(Full(0), Full(1), Full(2)), 3, 3, All, All));

    [Fact]
    public void A_broker_not_running_is_unhealthy() =>
        Assert.Contains("brokers 1 not running", ClusterHealth.Unhealthy(Topic(Full(0), Full(1), Full(2)), 3, 3, new HashSet<int> { 0, 2 }, All));

    [Fact]
    public void A_broker_running_but_not_a_member_is_unhealthy() =>
        Assert.Contains("brokers 2 not active", ClusterHealth.Unhealthy(Topic(Full(0), Full(1), Full(2)), 3, 3, All, new HashSet<int> { 0, 1 }));

    [Fact]
    public void Silent_membership_or_controller_is_unhealthy()
    {
        Assert.Contains("membership", ClusterHealth.Unhealthy(Topic(Full(0), Full(1), Full(2)), 3, 3, All, null));
        Assert.Contains("controller", ClusterHealth.Unhealthy(null, 3, 3, All, All));
    }

    [Fact]
    public void A_partition_without_a_leader_or_with_a_short_isr_is_unhealthy()
    {
        Assert.Contains("partition 1 has no leader",
            ClusterHealth.Unhealthy(Topic(Full(0), new PartitionAssignment(1, PartitionAssignment.NoLeader, 3, [1, 2, 0], []), Full(2)), 3, 3, All, All));
        Assert.Contains("partition 2: replicas 0 not in sync",
            ClusterHealth.Unhealthy(Topic(Full(0), Full(1), new PartitionAssignment(2, 2, 1, [2, 0, 1], [2, 1])), 3, 3, All, All));
    }

    private static PartitionAssignment Full(int partition) => new(partition, partition, 0, [partition, (partition + 1) % 3, (partition + 2) % 3], [0, 1, 2]);

    private static TopicMetadata Topic(params PartitionAssignment[] partitions) =>
        new("faults", Guid.NewGuid(), new TopicConfig(), DateTimeOffset.UnixEpoch, partitions);
}
