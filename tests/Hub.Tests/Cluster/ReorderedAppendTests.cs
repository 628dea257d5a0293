using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.InterBroker;
using Hub.Silo.Partitions;
using Hub.Tests.Kafka;

namespace Hub.Tests.Cluster;

/// <summary>
/// Orleans may deliver a producer's pipelined appends out of order; a batch that arrives ahead of the one
/// before it waits for it (<see cref="ReorderedAppends"/>) instead of being refused, and a gap that is not
/// filled in the wait is refused, with an answer that makes clients resend in order.
/// </summary>
public sealed class ReorderedAppendTests : IAsyncLifetime
{
    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await HubTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task<IPartitionGrain> CreatePartitionAsync(string topic)
    {
        await _cluster.Client.Admin.CreateTopicAsync(topic, 1);
        return _cluster.Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, 0, brokerId: 0));
    }

    private static Task<AppendResult> Append(IPartitionGrain partition, int sequence, int records) =>
        partition.Append(PooledBatches.Borrow(IdempotentBatches.Create(producerId: 4242, epoch: 0, sequence, records)));

    [Fact]
    public async Task A_batch_that_overtakes_the_one_before_it_waits_for_it_and_both_are_stored_in_order()
    {
        var partition = await CreatePartitionAsync("overtaken");
        Assert.Equal(0, (await Append(partition, sequence: 0, records: 2)).BaseOffset);

        var third = Append(partition, sequence: 5, records: 1);
        // Refused at once before waiting existed; now it is held for the batch before it.
        await Task.WhenAny(third, Task.Delay(ReorderedAppends.MaxWait / 2));
        Assert.False(third.IsCompleted, "the batch ahead of its predecessor was answered before the predecessor came");
        var second = Append(partition, sequence: 2, records: 3);

        Assert.Equal((2L, 4L), ((await second).BaseOffset, (await second).LastOffset));
        Assert.Equal(5L, (await third).BaseOffset);
        Assert.Equal(6, (await partition.GetState()).LogEndOffset);
    }

    [Fact]
    public async Task A_gap_that_is_not_filled_in_the_wait_is_refused_so_the_client_resends_in_order_and_nothing_is_stored()
    {
        var partition = await CreatePartitionAsync("gap");
        await Append(partition, sequence: 0, records: 1);

        var started = TimeProvider.System.GetTimestamp();
        var refused = await Assert.ThrowsAsync<HubException>(() => Append(partition, sequence: 2, records: 1));
        // The producer stored a batch just now: the one with sequence 1 may still come (ReorderedAppends.Refusal).
        Assert.Equal(ErrorCode.NotLeaderOrFollower, refused.Code);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= ReorderedAppends.MaxWait * 0.9, "refused before the wait was over");
        Assert.Equal(1, (await partition.GetState()).LogEndOffset);

        // Resent in order under the same producer epoch, both are stored.
        Assert.Equal(1, (await Append(partition, sequence: 1, records: 1)).BaseOffset);
        Assert.Equal(2, (await Append(partition, sequence: 2, records: 1)).BaseOffset);
    }

    [Fact]
    public async Task A_gap_left_at_the_previous_leader_is_NOT_LEADER_OR_FOLLOWER_so_the_client_resends_in_order_without_an_epoch_bump()
    {
        const string topic = "moved";
        var partition = await CreatePartitionAsync(topic);
        await Append(partition, sequence: 0, records: 1);
        // A new leadership (one silo: the same broker in a new epoch), as after a failover; the batch with
        // sequence 1 went to the previous leader, which refused it.
        var replica = _cluster.SiloGrains.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(topic, 0, brokerId: 0));
        var assignment = (await _cluster.Grains.GetGrain<IClusterControllerGrain>(0).GetTopic(topic))!.Partitions[0];
        await HandAssignments.ApplyAsLeaderAsync(replica, assignment with { LeaderEpoch = assignment.LeaderEpoch + 1, Version = assignment.Version + 1 });

        var refused = await Assert.ThrowsAsync<HubException>(() => Append(partition, sequence: 2, records: 1));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, refused.Code);

        // Resent in order under the same producer epoch, both are stored.
        Assert.Equal(1, (await Append(partition, sequence: 1, records: 1)).BaseOffset);
        Assert.Equal(2, (await Append(partition, sequence: 2, records: 1)).BaseOffset);
    }

    [Fact]
    public async Task A_batch_behind_the_stored_ones_is_refused_at_once()
    {
        var partition = await CreatePartitionAsync("behind");
        for (var sequence = 0; sequence < 6; sequence++) await Append(partition, sequence, records: 1);

        // Sequence 0 fell out of the five remembered batches: no wait can help it.
        var started = TimeProvider.System.GetTimestamp();
        var refused = await Assert.ThrowsAsync<HubException>(() => Append(partition, sequence: 0, records: 1));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, refused.Code);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < ReorderedAppends.MaxWait, "a batch behind the stored ones waited");
    }
}
