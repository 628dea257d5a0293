using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Configuration;
using Hub.Silo.Groups;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Groups;

/// <summary>The group coordinator's state machine on a fake clock, without a cluster: Kafka's classic rebalance protocol.</summary>
public sealed class GroupCoordinatorTests
{
    private const int SessionMs = 10_000;
    private const int RebalanceMs = 30_000;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ConsumerGroupState _record = new();
    private int _generationsStored;

    private GroupCoordinator Coordinator(TimeSpan initialDelay = default, string topic = "orders", int partitions = 4)
    {
        var coordinator = new GroupCoordinator("g", () => _record, new HubSiloOptions
        {
            GroupInitialRebalanceDelay = initialDelay,
            GroupMinSessionTimeout = TimeSpan.FromMilliseconds(100),
        }, _time, NullLogger.Instance, () => _generationsStored++);
        coordinator.PartitionCountsRead(new Dictionary<string, int?> { [topic] = partitions });
        return coordinator;
    }

    private static JoinGroupRequest KafkaJoin(string memberId = "", string? instance = null, int sessionMs = SessionMs, params byte[] metadata) => new()
    {
        MemberId = memberId,
        GroupInstanceId = instance,
        ClientId = "rdkafka",
        SessionTimeoutMs = sessionMs,
        RebalanceTimeoutMs = RebalanceMs,
        ProtocolType = GroupProtocolTypes.Consumer,
        Protocols = [new GroupProtocol("range", metadata.Length > 0 ? metadata : [1])],
    };

    private static JoinGroupRequest HubJoin(string memberId = "", string? instance = null, string assignor = AssignorNames.Range,
        IReadOnlyList<TopicPartition>? owned = null, int ownedGeneration = -1) => KafkaJoin(memberId, instance) with
    {
        ClientId = "sdk",
        ProtocolType = GroupProtocolTypes.Hub,
        Protocols = [new GroupProtocol(assignor, ConsumerProtocol.EncodeSubscription(new ConsumerSubscription(["orders"], owned ?? [], ownedGeneration)))],
    };

    private static Task<JoinGroupResult> Join(GroupCoordinator coordinator, JoinGroupRequest request)
    {
        coordinator.ValidateJoin(request);
        return coordinator.JoinAsync(request);
    }

    /// <summary>A Kafka-protocol group of one stable member (no initial delay): its join and its own sync.</summary>
    private static async Task<JoinGroupResult> StableMember(GroupCoordinator coordinator, params byte[] assignment)
    {
        var joined = await Join(coordinator, KafkaJoin()).WaitAsync(Bound);
        await coordinator.SyncAsync(new SyncGroupRequest { GenerationId = joined.GenerationId, MemberId = joined.MemberId, Assignments = [new(joined.MemberId, assignment)] });
        Assert.Equal(GroupState.Stable, coordinator.Phase);
        return joined;
    }

    /// <summary>A second member joins a stable one and the first rejoins: generation 2, awaiting the leader's SyncGroup.</summary>
    private static async Task<(JoinGroupResult Leader, JoinGroupResult Follower)> TwoMembers(GroupCoordinator coordinator, int followerSessionMs = SessionMs)
    {
        var first = await StableMember(coordinator);
        var secondJoin = Join(coordinator, KafkaJoin(sessionMs: followerSessionMs));
        var leader = await Join(coordinator, KafkaJoin(first.MemberId)).WaitAsync(Bound);
        return (leader, await secondJoin.WaitAsync(Bound));
    }

    private static IReadOnlyList<TopicPartition> Partitions(JoinGroupResult result) => ConsumerProtocol.DecodeAssignment(result.Assignment);

    private static ErrorCode CodeOf(Action call) => Assert.Throws<HubException>(call).Code;

    [Fact]
    public async Task The_first_join_waits_the_initial_delay_and_a_member_joining_meanwhile_extends_it()
    {
        var coordinator = Coordinator(initialDelay: TimeSpan.FromSeconds(3));
        var first = Join(coordinator, KafkaJoin());
        Assert.True(coordinator.NeedsTicks);
        _time.Advance(TimeSpan.FromSeconds(2));
        coordinator.Tick();
        var second = Join(coordinator, KafkaJoin()); // every member has joined, yet the delay holds: more may come
        _time.Advance(TimeSpan.FromSeconds(2.9));
        coordinator.Tick();
        Assert.Equal(GroupState.PreparingRebalance, coordinator.Phase);
        Assert.False(first.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(0.1)); // 3 s after the second member
        coordinator.Tick();
        var leader = await first.WaitAsync(Bound);
        var follower = await second.WaitAsync(Bound);
        Assert.Equal((1, 1), (leader.GenerationId, follower.GenerationId));
        Assert.True(leader.IsLeader);
        Assert.Equal(2, leader.Members.Length);
        Assert.Equal(GroupState.CompletingRebalance, coordinator.Phase);
        Assert.Equal(1, _record.Generation);
        Assert.Equal(1, _generationsStored);
    }

    [Fact]
    public async Task A_second_member_makes_everyone_rejoin_and_the_leader_gets_every_members_metadata()
    {
        var coordinator = Coordinator();
        var first = await StableMember(coordinator, 9);

        var secondJoin = Join(coordinator, KafkaJoin(metadata: [2, 2]));
        Assert.Equal(GroupState.PreparingRebalance, coordinator.Phase);
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat(first.GenerationId, first.MemberId, null));
        Assert.False(secondJoin.IsCompleted);

        var leader = await Join(coordinator, KafkaJoin(first.MemberId, metadata: [1, 1])).WaitAsync(Bound);
        var follower = await secondJoin.WaitAsync(Bound);
        Assert.Equal((2, 2), (leader.GenerationId, follower.GenerationId));
        Assert.Equal(first.MemberId, follower.LeaderId);
        Assert.Equal([(first.MemberId, new byte[] { 1, 1 }), (follower.MemberId, new byte[] { 2, 2 })],
            leader.Members.Select(m => (m.MemberId, m.Metadata)));
        Assert.Empty(follower.Members);
        Assert.Equal(GroupState.CompletingRebalance, coordinator.Phase);
    }

    [Fact]
    public async Task Sync_hands_each_member_its_assignment_and_the_leaders_silence_ends_the_generation()
    {
        var coordinator = Coordinator();
        var (leader, follower) = await TwoMembers(coordinator);
        Assert.Equal(GroupState.CompletingRebalance, coordinator.Phase);

        var followerSync = coordinator.SyncAsync(new SyncGroupRequest { GenerationId = follower.GenerationId, MemberId = follower.MemberId });
        Assert.False(followerSync.IsCompleted);
        var own = await coordinator.SyncAsync(new SyncGroupRequest
        {
            GenerationId = leader.GenerationId,
            MemberId = leader.MemberId,
            Assignments = [new(leader.MemberId, [1]), new(follower.MemberId, [2])],
        });
        Assert.Equal([1], own.Assignment);
        Assert.Equal([2], (await followerSync.WaitAsync(Bound)).Assignment);
        Assert.Equal(GroupState.Stable, coordinator.Phase);
        Assert.Equal([[1], [2]], coordinator.Describe(exists: true).Members.Select(m => m.Assignment));
    }

    [Fact]
    public async Task A_member_missing_its_session_timeout_is_removed_and_a_rebalance_starts()
    {
        var coordinator = Coordinator();
        var (busy, quiet) = await TwoMembers(coordinator, followerSessionMs: 1_000);
        await coordinator.SyncAsync(new SyncGroupRequest { GenerationId = busy.GenerationId, MemberId = busy.MemberId });
        Assert.Equal(GroupState.Stable, coordinator.Phase);

        _time.Advance(TimeSpan.FromMilliseconds(1_000));
        coordinator.Tick();
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat(busy.GenerationId, busy.MemberId, null)); // exactly the timeout: not yet

        _time.Advance(TimeSpan.FromMilliseconds(1));
        coordinator.Tick();
        Assert.Equal(GroupState.PreparingRebalance, coordinator.Phase);
        Assert.Equal(ErrorCode.UnknownMemberId, CodeOf(() => coordinator.Heartbeat(quiet.GenerationId, quiet.MemberId, null)));
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat(busy.GenerationId, busy.MemberId, null));
        var alone = await Join(coordinator, KafkaJoin(busy.MemberId)).WaitAsync(Bound);
        Assert.Equal([busy.MemberId], alone.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task A_member_that_does_not_rejoin_within_the_rebalance_timeout_is_removed()
    {
        var coordinator = Coordinator();
        var slow = await StableMember(coordinator);
        var join = Join(coordinator, KafkaJoin());

        // The slow member keeps its session alive but never rejoins.
        void Second()
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            coordinator.Tick();
            Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat(slow.GenerationId, slow.MemberId, null));
        }
        for (var second = 1; second < 20; second++) Second();
        _time.Advance(TimeSpan.FromSeconds(1));
        var retry = await join.WaitAsync(Bound); // the call's longest wait: the newcomer calls again with its id
        Assert.Equal(ErrorCode.RebalanceInProgress, retry.Error);
        join = Join(coordinator, KafkaJoin(retry.MemberId));
        for (var second = 21; second < RebalanceMs / 1_000; second++) Second();
        Assert.False(join.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        coordinator.Tick();
        var joined = await join.WaitAsync(Bound);
        Assert.True(joined.IsLeader);
        Assert.Equal([joined.MemberId], joined.Members.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, CodeOf(() => coordinator.Heartbeat(slow.GenerationId, slow.MemberId, null)));
    }

    [Fact]
    public async Task Heartbeats_from_strangers_and_stale_generations_are_refused()
    {
        var coordinator = Coordinator();
        var member = await StableMember(coordinator);
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat(member.GenerationId, member.MemberId, null));
        Assert.Equal(ErrorCode.UnknownMemberId, CodeOf(() => coordinator.Heartbeat(member.GenerationId, "nobody", null)));
        Assert.Equal(ErrorCode.IllegalGeneration, CodeOf(() => coordinator.Heartbeat(member.GenerationId - 1, member.MemberId, null)));
        Assert.Equal(ErrorCode.FencedInstanceId, CodeOf(() => coordinator.Heartbeat(member.GenerationId, member.MemberId, "someone-else")));
    }

    [Fact]
    public async Task Leaving_starts_a_rebalance_that_the_others_complete()
    {
        var coordinator = Coordinator();
        var (a, b) = await TwoMembers(coordinator);
        await coordinator.SyncAsync(new SyncGroupRequest { GenerationId = a.GenerationId, MemberId = a.MemberId });

        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId],
            coordinator.Leave([new LeaveGroupMember(a.MemberId), new LeaveGroupMember("nobody")], "closing"));
        Assert.Equal(GroupState.PreparingRebalance, coordinator.Phase);
        var rejoined = await Join(coordinator, KafkaJoin(b.MemberId)).WaitAsync(Bound);
        Assert.Equal(a.GenerationId + 1, rejoined.GenerationId);
        Assert.True(rejoined.IsLeader);

        Assert.Equal([ErrorCode.None], coordinator.Leave([new LeaveGroupMember(b.MemberId)], null));
        Assert.Equal(GroupState.Empty, coordinator.Phase);
        Assert.False(coordinator.NeedsTicks);
        Assert.True(_record.EmptySinceMs >= 0);
    }

    [Fact]
    public async Task A_restarted_static_leader_of_a_stable_group_keeps_the_generation_and_gets_its_assignment_back_without_reassigning()
    {
        var coordinator = Coordinator();
        var first = await Join(coordinator, KafkaJoin(instance: "host-a")).WaitAsync(Bound);
        await coordinator.SyncAsync(new SyncGroupRequest { GenerationId = first.GenerationId, MemberId = first.MemberId, Assignments = [new(first.MemberId, [7])] });
        Assert.Equal(GroupState.Stable, coordinator.Phase);

        var restarted = await Join(coordinator, KafkaJoin(instance: "host-a")).WaitAsync(Bound);
        Assert.Equal(GroupState.Stable, coordinator.Phase);
        Assert.Equal(first.GenerationId, restarted.GenerationId);
        Assert.True(restarted.IsLeader);
        Assert.True(restarted.SkipAssignment);
        Assert.Single(restarted.Members); // the leader still learns the members, as Kafka answers
        // Its SyncGroup (with or without an assignment) brings back the one in force.
        var synced = await coordinator.SyncAsync(new SyncGroupRequest { GenerationId = restarted.GenerationId, MemberId = restarted.MemberId, Assignments = [new(restarted.MemberId, [9])] });
        Assert.Equal([7], synced.Assignment);
        Assert.Equal(ErrorCode.FencedInstanceId, CodeOf(() => coordinator.Heartbeat(first.GenerationId, first.MemberId, "host-a")));
    }

    [Fact]
    public async Task A_restarted_static_member_takes_its_partitions_back_without_a_rebalance_and_fences_the_old_instance()
    {
        var coordinator = Coordinator();
        var first = await Join(coordinator, HubJoin(instance: "host-a")).WaitAsync(Bound);
        var bJoin = Join(coordinator, HubJoin(instance: "host-b"));
        var a = await Join(coordinator, HubJoin(first.MemberId, instance: "host-a")).WaitAsync(Bound);
        var b = await bJoin.WaitAsync(Bound);
        Assert.Equal(GroupState.Stable, coordinator.Phase);
        Assert.Equal(2, Partitions(b).Count);

        var restarted = await Join(coordinator, HubJoin(instance: "host-b")).WaitAsync(Bound);
        Assert.NotEqual(b.MemberId, restarted.MemberId);
        Assert.Equal(b.GenerationId, restarted.GenerationId);
        Assert.Equal(Partitions(b), Partitions(restarted));
        Assert.Equal(GroupState.Stable, coordinator.Phase);
        Assert.Equal(ErrorCode.FencedInstanceId, CodeOf(() => coordinator.Heartbeat(b.GenerationId, b.MemberId, "host-b")));
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat(restarted.GenerationId, restarted.MemberId, "host-b"));
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat(a.GenerationId, a.MemberId, "host-a"));
        Assert.Equal([ErrorCode.FencedInstanceId], coordinator.Leave([new LeaveGroupMember(b.MemberId, "host-b")], null));
    }

    [Fact]
    public async Task Cooperative_handover_moves_a_partition_only_after_its_owner_released_it()
    {
        var coordinator = Coordinator();
        const string assignor = AssignorNames.CooperativeSticky;
        var a = await Join(coordinator, HubJoin(assignor: assignor)).WaitAsync(Bound);
        Assert.Equal(4, Partitions(a).Count);

        // b joins; a rejoins still holding all four: two must move, but not while a holds them.
        var bJoin = Join(coordinator, HubJoin(assignor: assignor));
        var a2 = await Join(coordinator, HubJoin(a.MemberId, assignor: assignor, owned: Partitions(a), ownedGeneration: a.GenerationId)).WaitAsync(Bound);
        var b2 = await bJoin.WaitAsync(Bound);
        Assert.Equal(2, Partitions(a2).Count);
        Assert.Empty(Partitions(b2));
        var released = Partitions(a).Except(Partitions(a2)).ToList();
        Assert.Equal(2, released.Count);

        // a releases them and rejoins with what it kept: the next generation hands them to b.
        var a3Join = Join(coordinator, HubJoin(a.MemberId, assignor: assignor, owned: Partitions(a2), ownedGeneration: a2.GenerationId));
        Assert.Equal(GroupState.PreparingRebalance, coordinator.Phase);
        var b3 = await Join(coordinator, HubJoin(b2.MemberId, assignor: assignor, owned: [], ownedGeneration: b2.GenerationId)).WaitAsync(Bound);
        var a3 = await a3Join.WaitAsync(Bound);
        Assert.Equal(Partitions(a2), Partitions(a3));
        Assert.Equal(released.Order(), Partitions(b3).Order());
    }

    [Fact]
    public async Task Commits_need_a_current_member_of_the_current_generation_or_an_empty_group()
    {
        var coordinator = Coordinator();
        OffsetCommitRequest Commit(int generation, string memberId) => new() { GenerationId = generation, MemberId = memberId };

        coordinator.CheckCommitter(Commit(OffsetCommitRequest.NoGeneration, "")); // empty: an admin's commit
        var member = await Join(coordinator, KafkaJoin()).WaitAsync(Bound);
        // The leader's assignment is outstanding.
        Assert.Equal(ErrorCode.RebalanceInProgress, CodeOf(() => coordinator.CheckCommitter(Commit(member.GenerationId, member.MemberId))));
        await coordinator.SyncAsync(new SyncGroupRequest { GenerationId = member.GenerationId, MemberId = member.MemberId });

        coordinator.CheckCommitter(Commit(member.GenerationId, member.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, CodeOf(() => coordinator.CheckCommitter(Commit(OffsetCommitRequest.NoGeneration, ""))));
        Assert.Equal(ErrorCode.UnknownMemberId, CodeOf(() => coordinator.CheckCommitter(Commit(member.GenerationId, "zombie"))));
        Assert.Equal(ErrorCode.IllegalGeneration, CodeOf(() => coordinator.CheckCommitter(Commit(member.GenerationId - 1, member.MemberId))));

        coordinator.Leave([new LeaveGroupMember(member.MemberId)], null);
        Assert.Equal(ErrorCode.UnknownMemberId, CodeOf(() => coordinator.CheckCommitter(Commit(member.GenerationId, member.MemberId))));
        coordinator.CheckCommitter(Commit(OffsetCommitRequest.NoGeneration, ""));
    }

    [Fact]
    public async Task Member_id_required_ids_expire_after_the_session_timeout_and_a_long_rebalance_answers_call_again()
    {
        var coordinator = Coordinator();
        var pending = await Join(coordinator, KafkaJoin() with { RequireKnownMemberId = true });
        Assert.Equal(ErrorCode.MemberIdRequired, pending.Error);
        Assert.True(coordinator.NeedsTicks);
        _time.Advance(TimeSpan.FromMilliseconds(SessionMs));
        coordinator.Tick();
        Assert.False(coordinator.NeedsTicks);
        Assert.Equal(ErrorCode.UnknownMemberId, CodeOf(() => coordinator.JoinAsync(KafkaJoin(pending.MemberId))));

        var waiting = await StableMember(coordinator);
        var newcomer = Join(coordinator, KafkaJoin()); // waits for the first member to rejoin
        _time.Advance(GroupCoordinator.MaxCallWait);
        var retry = await newcomer.WaitAsync(Bound);
        Assert.Equal(ErrorCode.RebalanceInProgress, retry.Error);
        var rejoined = await Join(coordinator, KafkaJoin(waiting.MemberId)).WaitAsync(Bound);
        Assert.Equal(2, rejoined.Members.Length); // the newcomer stayed joined
    }

    [Fact]
    public void A_group_being_removed_refuses_calls_until_it_is_gone()
    {
        var coordinator = Coordinator();
        coordinator.BeginRemoval();
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, CodeOf(() => coordinator.JoinAsync(KafkaJoin())));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, CodeOf(() => coordinator.CheckCommitter(new OffsetCommitRequest())));
        coordinator.EndRemoval();
        Assert.Equal(GroupState.Dead, coordinator.Describe(exists: false).State);
        Assert.Equal(GroupState.Empty, coordinator.Describe(exists: true).State);
    }
}
