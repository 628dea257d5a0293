using Hub.Grains;
using Hub.Groups;
using Hub.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Groups;

/// <summary>
/// A group whose members were lost with its activation (their silo died) is empty from its next activation on,
/// and its offsets-retention clock starts there once: later activations do not restart it. Its own cluster: the
/// test moves the silo's wall clock.
/// </summary>
public sealed class GroupReactivationRetentionTests : IAsyncLifetime
{
    /// <summary>Long against the test's real duration, so only the shifted clock decides what expires.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private HubTestCluster _cluster = null!;
    private ShiftedTimeProvider _clock = null!;

    public async Task InitializeAsync()
    {
        // The periodic sweep stays out of the way: the group's activations run the expiry this test watches.
        _cluster = await HubTestCluster.StartAsync(
            settings: FastGroups(("OffsetsRetention", Retention.ToString()), ("OffsetsRetentionCheckInterval", "1.00:00:00")),
            configurators: [typeof(ShiftedClockSiloConfigurator)]);
        _clock = (ShiftedTimeProvider)_cluster.SiloServices.GetRequiredService<TimeProvider>();
        await _cluster.Client.Admin.CreateTopicAsync("t", 1);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Offsets_expire_a_retention_after_the_first_activation_without_members_however_often_the_group_is_reactivated()
    {
        var group = _cluster.Grains.GetGrain<IConsumerGroupGrain>("lost");
        var member = await group.JoinGroup(new JoinGroupRequest
        {
            SessionTimeoutMs = 30_000,
            ProtocolType = GroupProtocolTypes.Hub,
            Protocols = [new GroupProtocol(AssignorNames.Range, ConsumerProtocol.EncodeSubscription(new ConsumerSubscription(["t"], [])))],
        }).WaitAsync(Bound);
        // Stored while the member is in the group: the group is not empty as far as the disk knows.
        await group.CommitOffsets(new OffsetCommitRequest
        {
            GenerationId = member.GenerationId,
            MemberId = member.MemberId,
            Offsets = [new OffsetCommitEntry("t", 0, 5)],
        });
        await DeactivateAsync(group);

        var firstEmpty = _clock.GetUtcNow();
        Assert.Single(await group.FetchOffsets());
        for (var reactivation = 0; reactivation < 2; reactivation++)
        {
            _clock.Advance(Retention / 3);
            await DeactivateAsync(group);
            // An activation expires what is due: nothing yet, the first empty activation was under a retention ago.
            Assert.Single(await group.FetchOffsets());
        }

        // A retention after the first empty activation, but well under one after the last.
        _clock.Advance(firstEmpty + Retention + Retention / 6 - _clock.GetUtcNow());
        await DeactivateAsync(group);
        Assert.Empty(await group.FetchOffsets());
        Assert.Equal(GroupState.Dead, (await group.Describe()).State);
    }

    /// <summary>Ends the group's activation, members and all, as their silo's death would; the next call activates it again.</summary>
    private static Task DeactivateAsync(IConsumerGroupGrain group) =>
        group.Cast<IGrainManagementExtension>().DeactivateOnIdle().AsTask().WaitAsync(Bound);
}
