using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Configuration;
using Hub.Silo.Groups;
using Hub.Topics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Groups;

/// <summary>KIP-848's consumer group protocol on a fake clock, without a cluster: epochs, reconciliation, fencing, static members.</summary>
public sealed class ConsumerGroupCoordinatorTests
{
    private static readonly Guid Orders = Guid.NewGuid();
    private static readonly Guid Payments = Guid.NewGuid();
    private const int RebalanceMs = 30_000;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ConsumerGroupState _record = new();
    private readonly HubSiloOptions _options = new() { ConsumerGroupSessionTimeout = TimeSpan.FromSeconds(45) };
    private int _epochsStored;

    private ConsumerGroupCoordinator Coordinator(int orders = 4, int payments = 0)
    {
        var coordinator = new ConsumerGroupCoordinator("g", () => _record, _options, _time, NullLogger.Instance, () => _epochsStored++);
        var topics = new List<TopicMetadata> { Topic("orders", Orders, orders) };
        if (payments > 0) topics.Add(Topic("payments", Payments, payments));
        coordinator.TopicsRead(topics, all: true, []);
        return coordinator;
    }

    private static void ReadAll(ConsumerGroupCoordinator group, int orders, int payments) =>
        group.TopicsRead([Topic("orders", Orders, orders), Topic("payments", Payments, payments)], all: true, []);

    private static TopicMetadata Topic(string name, Guid id, int partitions) =>
        new(name, id, new TopicConfig(), DateTimeOffset.UnixEpoch, new PartitionAssignment[partitions]);

    private static ConsumerGroupHeartbeatRequest JoinRequest(string memberId, string[]? topics = null, string? regex = null, string? instance = null,
        string? assignor = null) => new()
    {
        MemberId = memberId,
        MemberEpoch = 0,
        InstanceId = instance,
        RebalanceTimeoutMs = RebalanceMs,
        SubscribedTopicNames = regex is null ? topics ?? ["orders"] : null,
        SubscribedTopicRegex = regex,
        ServerAssignor = assignor,
        OwnedPartitions = [],
    };

    private static ConsumerGroupHeartbeatRequest Beat(string memberId, int epoch, params int[] ownedOrders) => new()
    {
        MemberId = memberId,
        MemberEpoch = epoch,
        OwnedPartitions = [new TopicIdPartitions(Orders, ownedOrders)],
    };

    private static int[] OrdersOf(ConsumerGroupHeartbeatResult result) =>
        result.Assignment?.Where(t => t.TopicId == Orders).SelectMany(t => t.Partitions).Order().ToArray() ?? throw new InvalidOperationException("no assignment in the answer");

    [Fact]
    public void A_partition_moves_only_after_its_holder_revoked_it_and_never_has_two_owners()
    {
        var group = Coordinator(orders: 4);
        var a = group.Heartbeat(JoinRequest("a"));
        Assert.Equal([0, 1, 2, 3], OrdersOf(a));
        Assert.Equal(_record.Generation, a.MemberEpoch);

        var b = group.Heartbeat(JoinRequest("b"));
        Assert.Empty(OrdersOf(b)); // its target partitions are still a's
        Assert.Equal(_record.Generation, b.MemberEpoch);

        // a is told to give up two partitions, at its old epoch.
        var told = group.Heartbeat(Beat("a", a.MemberEpoch, 0, 1, 2, 3));
        Assert.Equal(a.MemberEpoch, told.MemberEpoch);
        var kept = OrdersOf(told);
        Assert.Equal(2, kept.Length);

        // Until a reports them gone, b still gets nothing.
        Assert.Null(group.Heartbeat(Beat("b", b.MemberEpoch)).Assignment);

        var revoked = group.Heartbeat(Beat("a", told.MemberEpoch, kept));
        Assert.Equal(b.MemberEpoch, revoked.MemberEpoch);
        var bNow = OrdersOf(group.Heartbeat(Beat("b", b.MemberEpoch)));
        Assert.Equal([0, 1, 2, 3], kept.Concat(bNow).Order());
        Assert.Equal("Stable", group.Describe().State);
    }

    [Fact]
    public void A_wrong_epoch_is_fenced_and_a_lost_answer_s_previous_epoch_is_accepted()
    {
        var group = Coordinator(orders: 2);
        var a = group.Heartbeat(JoinRequest("a"));
        Assert.Equal(ErrorCode.FencedMemberEpoch, Assert.Throws<HubException>(() => group.Heartbeat(Beat("a", a.MemberEpoch + 1, 0, 1))).Code);
        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Throws<HubException>(() => group.Heartbeat(Beat("nobody", 1))).Code);

        // b joins: a's epoch stays while it revokes; after revoking it moves to the new epoch.
        group.Heartbeat(JoinRequest("b"));
        var told = group.Heartbeat(Beat("a", a.MemberEpoch, 0, 1));
        var moved = group.Heartbeat(Beat("a", told.MemberEpoch, OrdersOf(told)));
        Assert.True(moved.MemberEpoch > a.MemberEpoch);
        // Its answer was lost: a heartbeats with its previous epoch, owning no more than it is assigned.
        Assert.Equal(moved.MemberEpoch, group.Heartbeat(Beat("a", a.MemberEpoch, OrdersOf(told))).MemberEpoch);
        // But not with partitions it no longer has.
        Assert.Equal(ErrorCode.FencedMemberEpoch, Assert.Throws<HubException>(() => group.Heartbeat(Beat("a", a.MemberEpoch, 0, 1))).Code);
    }

    [Fact]
    public void A_silent_member_is_removed_after_the_session_timeout_and_one_that_does_not_revoke_after_its_rebalance_timeout()
    {
        var group = Coordinator(orders: 2);
        var a = group.Heartbeat(JoinRequest("a"));
        var b = group.Heartbeat(JoinRequest("b"));
        group.Heartbeat(Beat("a", a.MemberEpoch, 0, 1)); // told to revoke one

        _time.Advance(TimeSpan.FromMilliseconds(RebalanceMs + 1));
        group.Heartbeat(Beat("b", b.MemberEpoch));
        group.Tick();
        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Throws<HubException>(() => group.Heartbeat(Beat("a", a.MemberEpoch, 0))).Code);
        Assert.Equal([0, 1], OrdersOf(group.Heartbeat(Beat("b", b.MemberEpoch))));

        _time.Advance(_options.ConsumerGroupSessionTimeout + TimeSpan.FromSeconds(1));
        group.Tick();
        Assert.Equal(0, group.MemberCount);
        Assert.Equal("Empty", group.Describe().State);
    }

    [Fact]
    public void A_static_member_away_keeps_its_partitions_and_its_next_instance_takes_them_over()
    {
        var group = Coordinator(orders: 2);
        var a = group.Heartbeat(JoinRequest("a1", instance: "a"));
        Assert.Equal(ErrorCode.UnreleasedInstanceId, Assert.Throws<HubException>(() => group.Heartbeat(JoinRequest("a2", instance: "a"))).Code);

        var away = group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "a1", MemberEpoch = -2, InstanceId = "a" });
        Assert.Equal(-2, away.MemberEpoch);
        var epoch = _record.Generation;
        var back = group.Heartbeat(JoinRequest("a2", instance: "a"));
        Assert.Equal([0, 1], OrdersOf(back));
        Assert.Equal(a.MemberEpoch, back.MemberEpoch);
        Assert.Equal(epoch, _record.Generation); // no rebalance
        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Throws<HubException>(() => group.Heartbeat(Beat("a1", a.MemberEpoch, 0, 1))).Code);
        Assert.Contains(group.Describe().Members, m => m.MemberId == "a2" && m.InstanceId == "a");

        // Away again: a member joining meanwhile gets none of its partitions (they wait for it) until its session ends.
        group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "a2", MemberEpoch = -2, InstanceId = "a" });
        var b = group.Heartbeat(JoinRequest("b"));
        Assert.Empty(OrdersOf(b));
        _time.Advance(_options.ConsumerGroupSessionTimeout / 2);
        Assert.Null(group.Heartbeat(Beat("b", b.MemberEpoch)).Assignment);
        _time.Advance(_options.ConsumerGroupSessionTimeout / 2 + TimeSpan.FromSeconds(1));
        group.Heartbeat(Beat("b", b.MemberEpoch));
        group.Tick();
        var epochAfter = group.Describe().GroupEpoch;
        Assert.Equal([0, 1], OrdersOf(group.Heartbeat(Beat("b", group.Describe().Members.Single().MemberEpoch))));
        Assert.Equal(epochAfter, group.Describe().Members.Single().MemberEpoch);
    }

    [Fact]
    public void A_regex_matches_whole_topic_names_and_new_partitions_bump_the_epoch()
    {
        var group = Coordinator(orders: 2, payments: 1);
        // As in Kafka, a new regex is resolved for the member's next heartbeat: the first answer has only literal topics.
        var joined = group.Heartbeat(JoinRequest("a", regex: "pay.*"));
        Assert.Empty(joined.Assignment!);
        Assert.NotNull(group.TopicsNeededFor(Beat("a", joined.MemberEpoch)));
        ReadAll(group, orders: 2, payments: 1);
        var a = group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "a", MemberEpoch = joined.MemberEpoch, OwnedPartitions = [] });
        Assert.Equal([new TopicIdPartitions(Payments, [0])], a.Assignment!, new TopicIdPartitionsComparer());
        group.Heartbeat(JoinRequest("b", regex: "order"));
        ReadAll(group, orders: 2, payments: 1);
        Assert.Null(group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "b", MemberEpoch = _record.Generation, OwnedPartitions = [] }).Assignment); // "order" does not match "orders"

        // The regex's only member leaves and comes back: the regex is resolved afresh, a heartbeat later again.
        group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "a", MemberEpoch = -1 });
        var back = group.Heartbeat(JoinRequest("a", regex: "pay.*"));
        Assert.Empty(back.Assignment!);
        ReadAll(group, orders: 2, payments: 1);
        a = group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "a", MemberEpoch = back.MemberEpoch, OwnedPartitions = [] });
        Assert.Equal([0], a.Assignment!.Single().Partitions);

        var before = _record.Generation;
        ReadAll(group, orders: 2, payments: 3);
        var grown = group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "a", MemberEpoch = a.MemberEpoch, OwnedPartitions = [new TopicIdPartitions(Payments, [0])] });
        Assert.Equal(before + 1, _record.Generation);
        Assert.Equal([0, 1, 2], grown.Assignment!.Single().Partitions);
        Assert.True(_epochsStored >= 3);
    }

    [Fact]
    public void Bad_requests_get_Kafka_s_errors()
    {
        var group = Coordinator();
        Assert.Equal(ErrorCode.InvalidRegularExpression, Assert.Throws<HubException>(() => group.Heartbeat(JoinRequest("a", regex: "orders("))).Code);
        Assert.Equal(ErrorCode.UnsupportedAssignor, Assert.Throws<HubException>(() => group.Heartbeat(JoinRequest("a", assignor: "nope"))).Code);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<HubException>(() => group.Heartbeat(JoinRequest("a") with { RebalanceTimeoutMs = -1 })).Code);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<HubException>(() => group.Heartbeat(JoinRequest("a") with { OwnedPartitions = null })).Code);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<HubException>(() => group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = "a", MemberEpoch = -2 })).Code);
        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<HubException>(() => group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberEpoch = 3 })).Code);
    }

    [Fact]
    public void Commits_need_the_member_s_current_epoch()
    {
        var group = Coordinator();
        group.CheckCommitter(new OffsetCommitRequest { GenerationId = -1, MemberId = "" }); // an empty group takes admin commits
        var a = group.Heartbeat(JoinRequest("a"));
        group.CheckCommitter(new OffsetCommitRequest { GenerationId = a.MemberEpoch, MemberId = "a" });
        Assert.Equal(ErrorCode.StaleMemberEpoch, Assert.Throws<HubException>(() => group.CheckCommitter(new OffsetCommitRequest { GenerationId = a.MemberEpoch - 1, MemberId = "a" })).Code);
        Assert.Equal(ErrorCode.UnknownMemberId, Assert.Throws<HubException>(() => group.CheckCommitter(new OffsetCommitRequest { GenerationId = -1, MemberId = "" })).Code);
    }

    /// <summary>
    /// Members that join, heartbeat (acting on each answer at once, as clients do) and leave in a random order: no
    /// partition is ever owned by two clients, and once everyone heartbeats a few times every partition is owned.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_joins_heartbeats_and_leaves_never_give_a_partition_two_owners_and_settle(int seed)
    {
        const int partitions = 12;
        var random = new Random(seed);
        var group = Coordinator(orders: partitions);
        var clients = new Dictionary<string, (int Epoch, int[] Owned)>();
        var next = 0;

        void Apply(string id, ConsumerGroupHeartbeatResult result) =>
            clients[id] = (result.MemberEpoch, result.Assignment is null ? clients[id].Owned : OrdersOf(result));

        void CheckDisjoint()
        {
            var owned = clients.Values.SelectMany(c => c.Owned).ToList();
            Assert.Equal(owned.Count, owned.Distinct().Count());
        }

        for (var step = 0; step < 400; step++)
        {
            var roll = random.Next(10);
            if (roll == 0 || clients.Count == 0)
            {
                var id = $"m{next++}";
                clients[id] = (0, []);
                Apply(id, group.Heartbeat(JoinRequest(id)));
            }
            else if (roll == 1 && clients.Count > 1)
            {
                var id = clients.Keys.ElementAt(random.Next(clients.Count));
                group.Heartbeat(new ConsumerGroupHeartbeatRequest { MemberId = id, MemberEpoch = -1 });
                clients.Remove(id);
            }
            else
            {
                var id = clients.Keys.ElementAt(random.Next(clients.Count));
                Apply(id, group.Heartbeat(Beat(id, clients[id].Epoch, clients[id].Owned)));
            }
            CheckDisjoint();
        }

        for (var round = 0; round < 4; round++)
        {
            foreach (var id in clients.Keys.ToList()) Apply(id, group.Heartbeat(Beat(id, clients[id].Epoch, clients[id].Owned)));
            CheckDisjoint();
        }
        Assert.Equal(Enumerable.Range(0, partitions), clients.Values.SelectMany(c => c.Owned).Order());
        var counts = clients.Values.Select(c => c.Owned.Length).ToList();
        Assert.True(counts.Max() - counts.Min() <= 1, $"unbalanced: {string.Join(", ", counts)}");
        Assert.Equal("Stable", group.Describe().State);
    }

    private sealed class TopicIdPartitionsComparer : IEqualityComparer<TopicIdPartitions>
    {
        public bool Equals(TopicIdPartitions? x, TopicIdPartitions? y) => x!.TopicId == y!.TopicId && x.Partitions.SequenceEqual(y.Partitions);

        public int GetHashCode(TopicIdPartitions obj) => obj.TopicId.GetHashCode();
    }
}
