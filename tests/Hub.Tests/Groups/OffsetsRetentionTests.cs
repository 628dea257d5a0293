using Hub.Silo.InterBroker;
using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Tests.Cluster;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Groups;

public sealed class OffsetsRetentionTests : IAsyncLifetime
{
    private HubTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await HubTestCluster.StartAsync(settings: FastGroups(
            ("OffsetsRetention", "00:00:01"), ("OffsetsRetentionCheckInterval", "00:00:00.200")));
        await _cluster.Client.Admin.CreateTopicAsync("t", 1);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Offsets_of_an_empty_group_expire_after_the_retention_but_not_while_it_has_members()
    {
        var idle = _cluster.Grains.GetGrain<IConsumerGroupGrain>("idle");
        var busy = _cluster.Grains.GetGrain<IConsumerGroupGrain>("busy");
        await busy.CommitOffsets(new OffsetCommitRequest { Offsets = [new OffsetCommitEntry("t", 0, 7)] });
        await idle.CommitOffsets(new OffsetCommitRequest { Offsets = [new OffsetCommitEntry("t", 0, 5)] });
        var member = await busy.JoinGroup(new JoinGroupRequest
        {
            SessionTimeoutMs = 30_000,
            ProtocolType = GroupProtocolTypes.Consumer,
            Protocols = [new GroupProtocol("range", [])],
        }).WaitAsync(Bound);

        await WaitUntilAsync(async () => (await idle.FetchOffsets()).Length == 0, "the idle group's offsets expire");
        // The silos' expiry timer calls the directory from inside the silo; the test does too.
        var directory = _cluster.SiloGrains.GetGrain<Hub.Silo.InterBroker.IInterBrokerGroupDirectoryGrain>(0);
        await WaitUntilAsync(async () => (await directory.ListGroups()).All(g => g.GroupId != "idle"), "the expired group is no longer listed");
        Assert.Equal(GroupState.Dead, (await idle.Describe()).State);

        // The busy group's offset is older than the idle one's, yet a sweep now leaves it: the group has a member.
        await directory.ExpireOffsets();
        Assert.Equal(7, Assert.Single(await busy.FetchOffsets()).Offset);
        Assert.Equal(ErrorCode.None, await busy.Heartbeat(member.GenerationId, member.MemberId));
    }
}
