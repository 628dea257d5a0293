using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.InterBroker;
using Hub.Topics;

namespace Hub.Tests.Cluster;

/// <summary>
/// What a replica's waiting callers hear when the controller's word changes its role or leader epoch (sent here by
/// hand, as the controller's notice would come): a long-polling fetch ends at once with NOT_LEADER_OR_FOLLOWER
/// (or FENCED_LEADER_EPOCH) instead of waiting out its max wait, and an acks=all append waiting for followers fails with it (as Kafka's
/// delayed produce does) instead of waiting for a confirmation this replica can no longer give.
/// </summary>
public sealed class PartitionLeadershipChangeTests : IAsyncLifetime
{
    private const string Topic = "moving";

    /// <summary>A long poll's max wait: longer than <see cref="Bound"/>, so an answer within it is not the poll's timeout.</summary>
    private const int LongPollMs = 25_000;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private HubTestCluster _cluster = null!;
    private PartitionAssignment _assignment = null!;

    public async Task InitializeAsync()
    {
        _cluster = await HubTestCluster.StartAsync();
        _assignment = (await _cluster.Client.Admin.CreateTopicAsync(Topic, 1)).Partitions[0];
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>
    /// The replica as the controller and the other brokers reach it, from inside the silo. The test's client calls
    /// (fetch, append) go the same way: its round trips then come from the sender of the calls they wait behind.
    /// </summary>
    private IInterBrokerPartitionGrain Replica => _cluster.SiloGrains.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(Topic, 0, brokerId: 0));

    /// <summary><paramref name="change"/> of the last assignment sent, as a newer version; it becomes the last one sent.</summary>
    private PartitionAssignment Next(Func<PartitionAssignment, PartitionAssignment> change) =>
        _assignment = change(_assignment) with { Version = _assignment.Version + 1 };

    /// <summary>Sends <see cref="Next"/>. The call is one-way: what waits on the replica sees the change whenever it lands.</summary>
    private Task Reassign(Func<PartitionAssignment, PartitionAssignment> change) => Replica.ApplyAssignment(Next(change));

    /// <summary><paramref name="waiting"/> has not completed after a round trip to the replica, which gives it time to land there and start waiting.</summary>
    private async Task AssertWaiting(Task waiting)
    {
        await Replica.GetState();
        Assert.False(waiting.IsCompleted);
    }

    /// <summary>A follower names the epoch it fetches for: a replica that knows a newer one fences it, as Kafka's does.</summary>
    [Theory]
    [InlineData("leader moved", "consumer", ErrorCode.NotLeaderOrFollower)]
    [InlineData("leader moved", "follower", ErrorCode.FencedLeaderEpoch)]
    [InlineData("replica moved off the broker", "consumer", ErrorCode.NotLeaderOrFollower)]
    [InlineData("replica moved off the broker", "follower", ErrorCode.NotLeaderOrFollower)]
    public async Task A_waiting_fetch_ends_at_once_with_its_error_when_its_replica_stops_leading(string change, string caller, ErrorCode expected)
    {
        Task fetch = caller == "consumer"
            ? Replica.Fetch(new FetchRequest(0, 1 << 20, MaxWaitMs: LongPollMs))
            : Replica.ReplicaFetch(new ReplicaFetchRequest(ReplicaBrokerId: 2, _assignment.LeaderEpoch, FetchOffset: 0, LastFetchedEpoch: -1, 1 << 20, LongPollMs));
        await AssertWaiting(fetch);

        await Reassign(a => a with
        {
            Leader = 1,
            LeaderEpoch = a.LeaderEpoch + 1,
            Replicas = change == "leader moved" ? [0, 1] : [1],
            Isr = change == "leader moved" ? [0, 1] : [1],
        });

        var refused = await Assert.ThrowsAsync<HubException>(() => fetch.WaitAsync(Bound));
        Assert.Equal(expected, refused.Code);
    }

    [Fact]
    public async Task A_waiting_fetch_naming_the_leader_epoch_ends_at_once_with_FENCED_LEADER_EPOCH_when_the_leader_is_re_elected()
    {
        var fetch = Replica.Fetch(new FetchRequest(0, 1 << 20, MaxWaitMs: LongPollMs, CurrentLeaderEpoch: _assignment.LeaderEpoch));
        await AssertWaiting(fetch);

        await Reassign(a => a with { LeaderEpoch = a.LeaderEpoch + 1 });

        var refused = await Assert.ThrowsAsync<HubException>(() => fetch.WaitAsync(Bound));
        Assert.Equal(ErrorCode.FencedLeaderEpoch, refused.Code);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task A_waiting_acks_all_append_fails_with_NOT_LEADER_OR_FOLLOWER_when_the_leader_epoch_changes(int newLeader)
    {
        // Broker 1 joins the ISR on paper and never fetches: the append waits for it. The epoch moves too, so
        // the test can see the replica hold this assignment before it appends.
        await HandAssignments.ApplyAsLeaderAsync(Replica, Next(a => a with { Replicas = [0, 1], Isr = [0, 1], LeaderEpoch = a.LeaderEpoch + 1 }));
        var append = Replica.Append(PooledBatches.Borrow(Log.TestBatches.Build(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "v")), RequiredAcks.All);
        await AssertWaiting(append);

        await Reassign(a => a with { Leader = newLeader, LeaderEpoch = a.LeaderEpoch + 1 });

        var refused = await Assert.ThrowsAsync<HubException>(() => append.WaitAsync(Bound));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, refused.Code);
    }
}
