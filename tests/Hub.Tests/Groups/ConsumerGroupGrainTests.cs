using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Tests.Cluster;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Groups;

/// <summary>The group grain through the calls the Kafka listener makes: Kafka's classic rebalance protocol and offsets.</summary>
public sealed class ConsumerGroupGrainTests(GroupClusterFixture fixture) : IClassFixture<GroupClusterFixture>, IAsyncLifetime
{
    private readonly HubTestCluster _cluster = fixture.Cluster;

    /// <summary>Every test uses group ids of its own; they share the cluster and the topic.</summary>
    public async Task InitializeAsync()
    {
        if (await _cluster.Client.Admin.ListTopicsAsync() is var topics && topics.All(t => t.Name != "orders"))
            await _cluster.Client.Admin.CreateTopicAsync("orders", 4);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private IConsumerGroupGrain Group(string id) => _cluster.Grains.GetGrain<IConsumerGroupGrain>(id);

    private static JoinGroupRequest KafkaJoin(string memberId = "", int sessionMs = 10_000, int rebalanceMs = 10_000, string? instance = null) => new()
    {
        MemberId = memberId,
        GroupInstanceId = instance,
        ClientId = "rdkafka",
        ClientHost = "/127.0.0.1",
        SessionTimeoutMs = sessionMs,
        RebalanceTimeoutMs = rebalanceMs,
        ProtocolType = GroupProtocolTypes.Consumer,
        Protocols = [new GroupProtocol("range", [1, 2, 3]), new GroupProtocol("roundrobin", [4])],
    };

    private static JoinGroupRequest HubJoin(string memberId = "", string? instance = null, IReadOnlyList<TopicPartition>? owned = null) => new()
    {
        MemberId = memberId,
        GroupInstanceId = instance,
        ClientId = "sdk",
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 10_000,
        ProtocolType = GroupProtocolTypes.Hub,
        Protocols = [new GroupProtocol(AssignorNames.Range, ConsumerProtocol.EncodeSubscription(new ConsumerSubscription(["orders"], owned ?? [])))],
    };

    /// <summary>Calls from one client may overtake each other: wait until the group has seen the join that starts a rebalance.</summary>
    private static Task Rebalancing(IConsumerGroupGrain group) =>
        WaitUntilAsync(async () => (await group.Describe()).State == GroupState.PreparingRebalance, "a rebalance starts");

    private static async Task<ErrorCode> CodeOf(Func<Task> call) => (await Assert.ThrowsAsync<HubException>(call)).Code;

    [Fact]
    public async Task Leader_assigns_through_sync_and_a_new_member_makes_everyone_rejoin()
    {
        var group = Group("kafka-style");
        var first = await group.JoinGroup(KafkaJoin()).WaitAsync(Bound);
        Assert.Equal(ErrorCode.None, first.Error);
        Assert.True(first.IsLeader);
        Assert.Equal(1, first.GenerationId);
        Assert.Equal("range", first.ProtocolName);
        Assert.Equal([1, 2, 3], Assert.Single(first.Members).Metadata);
        Assert.Equal(GroupState.CompletingRebalance, (await group.Describe()).State);
        var own = await group.SyncGroup(new SyncGroupRequest { GenerationId = 1, MemberId = first.MemberId, Assignments = [new(first.MemberId, [9])] });
        Assert.Equal([9], own.Assignment);
        Assert.Equal(GroupState.Stable, (await group.Describe()).State);

        // A second member's join waits for the first to rejoin, which it learns from its heartbeat.
        var secondJoin = group.JoinGroup(KafkaJoin() with { Protocols = [new GroupProtocol("roundrobin", [7]), new GroupProtocol("range", [8])] });
        await Rebalancing(group);
        Assert.Equal(ErrorCode.RebalanceInProgress, await group.Heartbeat(1, first.MemberId));
        Assert.False(secondJoin.IsCompleted);
        var leader = await group.JoinGroup(KafkaJoin(first.MemberId)).WaitAsync(Bound);
        var follower = await secondJoin.WaitAsync(Bound);

        Assert.Equal(2, leader.GenerationId);
        Assert.Equal(2, follower.GenerationId);
        Assert.Equal(leader.MemberId, follower.LeaderId);
        Assert.Empty(follower.Members);
        Assert.Equal([first.MemberId, follower.MemberId], leader.Members.Select(m => m.MemberId));
        Assert.Equal("range", leader.ProtocolName); // tie in votes: the earliest member's preference
        Assert.Equal([8], leader.Members[1].Metadata);

        var followerSync = group.SyncGroup(new SyncGroupRequest { GenerationId = 2, MemberId = follower.MemberId });
        Assert.False(followerSync.IsCompleted);
        await group.SyncGroup(new SyncGroupRequest
        {
            GenerationId = 2,
            MemberId = leader.MemberId,
            ProtocolType = GroupProtocolTypes.Consumer,
            ProtocolName = "range",
            Assignments = [new(leader.MemberId, [1]), new(follower.MemberId, [2])],
        });
        Assert.Equal([2], (await followerSync.WaitAsync(Bound)).Assignment);
        Assert.Equal(ErrorCode.None, await group.Heartbeat(2, follower.MemberId));

        var description = await group.Describe();
        Assert.Equal(GroupState.Stable, description.State);
        Assert.Equal(GroupProtocolTypes.Consumer, description.ProtocolType);
        Assert.Equal([[1], [2]], description.Members.Select(m => m.Assignment));
        Assert.Equal("rdkafka", description.Members[0].ClientId);
    }

    [Fact]
    public async Task Stale_generation_commits_and_heartbeats_are_rejected_without_changing_offsets()
    {
        var group = Group("fenced");
        var member = await group.JoinGroup(HubJoin()).WaitAsync(Bound);
        await group.CommitOffsets(new OffsetCommitRequest
        {
            GenerationId = member.GenerationId,
            MemberId = member.MemberId,
            Offsets = [new OffsetCommitEntry("orders", 0, 10, Metadata: "checkpoint-a")],
        });
        var other = group.JoinGroup(HubJoin()); // generation 2 starts
        await Rebalancing(group);
        Assert.Equal(ErrorCode.RebalanceInProgress, await group.Heartbeat(member.GenerationId, member.MemberId));
        var rejoined = await group.JoinGroup(HubJoin(member.MemberId)).WaitAsync(Bound);
        await other.WaitAsync(Bound);
        Assert.Equal(member.GenerationId + 1, rejoined.GenerationId);

        var stale = new OffsetCommitRequest
        {
            GenerationId = member.GenerationId,
            MemberId = member.MemberId,
            Offsets = [new OffsetCommitEntry("orders", 0, 99)],
        };
        Assert.Equal(ErrorCode.IllegalGeneration, await CodeOf(() => group.CommitOffsets(stale)));
        Assert.Equal(ErrorCode.IllegalGeneration, await CodeOf(() => group.Heartbeat(member.GenerationId, member.MemberId)));
        var committed = Assert.Single(await group.FetchOffsets());
        Assert.Equal(10, committed.Offset);
        Assert.Equal("checkpoint-a", committed.Metadata);
        Assert.InRange(committed.CommitTimestampMs, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        await group.CommitOffsets(stale with { GenerationId = rejoined.GenerationId });
        Assert.Equal(99, Assert.Single(await group.FetchOffsets([new TopicPartition("orders", 0)])).Offset);
        Assert.Equal(CommittedOffset.None, Assert.Single(await group.FetchOffsets([new TopicPartition("orders", 3)])).Offset);
    }

    [Fact]
    public async Task Bad_commits_are_refused_with_kafka_codes_and_change_nothing()
    {
        var group = Group("bad-input");
        var member = await group.JoinGroup(HubJoin()).WaitAsync(Bound);
        OffsetCommitRequest Commit(params OffsetCommitEntry[] offsets) =>
            new() { GenerationId = member.GenerationId, MemberId = member.MemberId, Offsets = offsets };
        await group.CommitOffsets(Commit(new OffsetCommitEntry("orders", 1, 5)));

        var good = new OffsetCommitEntry("orders", 0, 1);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await CodeOf(() => group.CommitOffsets(Commit(good, new OffsetCommitEntry("missing", 0, 1)))));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await CodeOf(() => group.CommitOffsets(Commit(good, new OffsetCommitEntry("orders", 4, 1)))));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, await CodeOf(() => group.CommitOffsets(Commit(good, new OffsetCommitEntry("orders", -1, 1)))));
        Assert.Equal(ErrorCode.InvalidRequest, await CodeOf(() => group.CommitOffsets(Commit(good, new OffsetCommitEntry("orders", 1, -5)))));
        Assert.Equal(ErrorCode.OffsetMetadataTooLarge,
            await CodeOf(() => group.CommitOffsets(Commit(good, new OffsetCommitEntry("orders", 1, 6, Metadata: new string('x', 5000))))));
        Assert.Equal(ErrorCode.UnknownMemberId,
            await CodeOf(() => group.CommitOffsets(Commit(good) with { MemberId = "sdk-not-a-member" })));
        // Generation -1 (an admin's commit) only while the group is empty.
        Assert.Equal(ErrorCode.UnknownMemberId,
            await CodeOf(() => group.CommitOffsets(new OffsetCommitRequest { Offsets = [good] })));
        Assert.Equal(ErrorCode.UnknownMemberId, await CodeOf(() => group.Heartbeat(member.GenerationId, "sdk-not-a-member")));

        var stored = Assert.Single(await group.FetchOffsets());
        Assert.Equal((1, 5L), (stored.Partition, stored.Offset));

        await group.LeaveGroup([new LeaveGroupMember(member.MemberId)]);
        await group.CommitOffsets(new OffsetCommitRequest { Offsets = [good] });
        Assert.Equal(2, (await group.FetchOffsets()).Length);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_evicted_and_its_late_calls_are_refused()
    {
        var group = Group("evicted");
        var quiet = await group.JoinGroup(KafkaJoin(sessionMs: 300)).WaitAsync(Bound);
        await group.SyncGroup(new SyncGroupRequest { GenerationId = quiet.GenerationId, MemberId = quiet.MemberId });

        await WaitUntilAsync(async () => (await group.Describe()).State == GroupState.Empty, "the silent member is removed");
        var description = await group.Describe();
        Assert.Empty(description.Members);
        Assert.Equal(quiet.GenerationId + 1, description.GenerationId);
        Assert.Equal(ErrorCode.UnknownMemberId, await CodeOf(() => group.Heartbeat(quiet.GenerationId, quiet.MemberId)));
        Assert.Equal(ErrorCode.UnknownMemberId, await CodeOf(() => group.CommitOffsets(new OffsetCommitRequest
        {
            GenerationId = quiet.GenerationId,
            MemberId = quiet.MemberId,
            Offsets = [new OffsetCommitEntry("orders", 0, 3)],
        })));
        Assert.Empty(await group.FetchOffsets());
        Assert.Equal(ErrorCode.UnknownMemberId, await CodeOf(() => group.JoinGroup(KafkaJoin(quiet.MemberId))));
    }

    [Fact]
    public async Task A_member_that_does_not_rejoin_within_the_rebalance_timeout_is_dropped()
    {
        var group = Group("slow-rejoin");
        var slow = await group.JoinGroup(KafkaJoin(rebalanceMs: 300)).WaitAsync(Bound);
        await group.SyncGroup(new SyncGroupRequest { GenerationId = slow.GenerationId, MemberId = slow.MemberId });

        // The slow member keeps heartbeating but never rejoins: the new member's join completes without it.
        var join = group.JoinGroup(KafkaJoin(rebalanceMs: 300));
        await Rebalancing(group);
        while (!join.IsCompleted)
        {
            try
            {
                await group.Heartbeat(slow.GenerationId, slow.MemberId);
            }
            catch (HubException e) when (e.Code == ErrorCode.UnknownMemberId)
            {
                break;
            }
            await Task.WhenAny(join, Task.Delay(50));
        }
        var joined = await join.WaitAsync(Bound);
        Assert.True(joined.IsLeader);
        Assert.Equal([joined.MemberId], joined.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task Member_id_required_flow_and_leave()
    {
        var group = Group("kip-394");
        var first = await group.JoinGroup(KafkaJoin() with { RequireKnownMemberId = true });
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("rdkafka-", first.MemberId);
        var joined = await group.JoinGroup(KafkaJoin(first.MemberId)).WaitAsync(Bound);
        Assert.Equal((ErrorCode.None, first.MemberId), (joined.Error, joined.MemberId));

        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId],
            await group.LeaveGroup([new LeaveGroupMember(first.MemberId), new LeaveGroupMember("nobody")]));
        Assert.Equal(GroupState.Empty, (await group.Describe()).State);
    }

    [Fact]
    public async Task Server_assigned_groups_get_their_assignment_in_the_join_result()
    {
        var group = Group("server-assigned");
        var a = await group.JoinGroup(HubJoin()).WaitAsync(Bound);
        Assert.Equal(4, ConsumerProtocol.DecodeAssignment(a.Assignment).Count);
        Assert.Equal(GroupState.Stable, (await group.Describe()).State);

        var bJoin = group.JoinGroup(HubJoin());
        await Rebalancing(group);
        Assert.Equal(ErrorCode.RebalanceInProgress, await group.Heartbeat(a.GenerationId, a.MemberId));
        var a2 = await group.JoinGroup(HubJoin(a.MemberId)).WaitAsync(Bound);
        var b = await bJoin.WaitAsync(Bound);
        var partitions = ConsumerProtocol.DecodeAssignment(a2.Assignment).Concat(ConsumerProtocol.DecodeAssignment(b.Assignment!)).ToList();
        Assert.Equal(Enumerable.Range(0, 4).Select(p => new TopicPartition("orders", p)), partitions.Order());
        // SyncGroup is not needed, but answers the same.
        Assert.Equal(b.Assignment, (await group.SyncGroup(new SyncGroupRequest { GenerationId = b.GenerationId, MemberId = b.MemberId })).Assignment);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, await CodeOf(() => group.JoinGroup(KafkaJoin())));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, await CodeOf(() => group.JoinGroup(HubJoin() with
        {
            Protocols = [new GroupProtocol("no-such-assignor", ConsumerProtocol.EncodeSubscription(new ConsumerSubscription(["orders"], [])))],
        })));
        Assert.Equal(ErrorCode.InvalidSessionTimeout, await CodeOf(() => group.JoinGroup(HubJoin() with { SessionTimeoutMs = 10 })));
        Assert.Equal(2, (await group.Describe()).Members.Length);
    }

    [Fact]
    public async Task A_restarted_static_member_takes_over_its_assignment_without_a_rebalance()
    {
        var group = Group("static");
        var a = await group.JoinGroup(HubJoin(instance: "host-a")).WaitAsync(Bound);
        var bJoin = group.JoinGroup(HubJoin(instance: "host-b"));
        await Rebalancing(group);
        await group.JoinGroup(HubJoin(a.MemberId, instance: "host-a")).WaitAsync(Bound);
        var b = await bJoin.WaitAsync(Bound);

        // Its metadata differs from before (other owned partitions): no rebalance all the same.
        var restarted = await group.JoinGroup(HubJoin(instance: "host-b", owned: [new TopicPartition("orders", 3)])).WaitAsync(Bound);
        Assert.NotEqual(b.MemberId, restarted.MemberId);
        Assert.Equal(b.GenerationId, restarted.GenerationId);
        Assert.Equal(b.Assignment, restarted.Assignment);
        Assert.Equal(GroupState.Stable, (await group.Describe()).State);
        Assert.Equal(ErrorCode.FencedInstanceId, await CodeOf(() => group.Heartbeat(b.GenerationId, b.MemberId, "host-b")));
        Assert.Equal(ErrorCode.None, await group.Heartbeat(restarted.GenerationId, restarted.MemberId, "host-b"));

        // An operator removes a static member by its instance id.
        Assert.Equal([ErrorCode.None], await group.LeaveGroup([new LeaveGroupMember("", "host-b")]));
        Assert.Single((await group.Describe()).Members);
    }

    [Fact]
    public async Task Groups_are_listed_described_and_deleted_only_when_empty()
    {
        var active = Group("active");
        var member = await active.JoinGroup(HubJoin()).WaitAsync(Bound);
        await Group("offsets-only").CommitOffsets(new OffsetCommitRequest { Offsets = [new OffsetCommitEntry("orders", 2, 7)] });

        var directory = _cluster.Grains.GetGrain<IGroupDirectoryGrain>(0);
        var listed = await directory.ListGroups();
        Assert.Contains(new GroupListing("active", GroupProtocolTypes.Hub, GroupState.Stable), listed);
        Assert.Contains(new GroupListing("offsets-only", "", GroupState.Empty), listed);
        Assert.Equal(GroupState.Dead, (await Group("never-seen").Describe()).State);

        Assert.Equal(ErrorCode.NonEmptyGroup, await CodeOf(() => active.DeleteGroup()));
        Assert.Equal(ErrorCode.GroupIdNotFound, await CodeOf(() => Group("never-seen").DeleteGroup()));
        await Group("offsets-only").DeleteGroup();
        Assert.Empty(await Group("offsets-only").FetchOffsets());
        Assert.Equal(GroupState.Dead, (await Group("offsets-only").Describe()).State);

        await active.LeaveGroup([new LeaveGroupMember(member.MemberId)]);
        await active.DeleteGroup();
        Assert.DoesNotContain(await directory.ListGroups(), g => g.GroupId is "active" or "offsets-only");
    }
}
