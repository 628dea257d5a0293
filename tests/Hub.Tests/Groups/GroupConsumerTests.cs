using System.Collections.Concurrent;
using System.Diagnostics;
using Hub.Client;
using Hub.Errors;
using Hub.Groups;
using Hub.Tests.Cluster;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.Groups;

/// <summary>The SDK's group consumer and group admin on an in-process cluster: queue and pub/sub semantics, crashes, restarts.</summary>
/// <remarks>The tests share one cluster; each uses topics and groups of its own.</remarks>
public sealed class GroupConsumerTests(GroupClusterFixture fixture) : IClassFixture<GroupClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan SessionTimeout = GroupTesting.SessionTimeout;

    private readonly List<HubGroupConsumer> _consumers = [];

    private HubClient Client => fixture.Cluster.Client;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var consumer in _consumers) await consumer.DisposeAsync();
    }

    private HubGroupConsumer Join(string group, string topic, string? assignor = null,
        AutoOffsetReset reset = AutoOffsetReset.Earliest, bool autoCommit = true, GroupMembershipProtocol protocol = GroupMembershipProtocol.Consumer)
    {
        var consumer = Client.CreateGroupConsumer(Options(group, topic, assignor, reset, autoCommit, protocol));
        _consumers.Add(consumer);
        return consumer;
    }

    private static Task SharedEvenly(IReadOnlyList<HubGroupConsumer> members, int partitions) =>
        WaitUntilAsync(() =>
        {
            var assignments = members.Select(m => m.Assignment).ToList();
            var all = assignments.SelectMany(a => a).ToList();
            return all.Count == partitions && all.Distinct().Count() == partitions
                && assignments.All(a => a.Count >= partitions / members.Count && a.Count <= (partitions + members.Count - 1) / members.Count);
        }, $"{members.Count} members share {partitions} partitions evenly");

    /// <summary>Reads with every member in the background, recording (member, partition, offset) until stopped.</summary>
    private sealed class Readers : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new(Bound);
        private readonly List<Task> _tasks;

        public Readers(IEnumerable<HubGroupConsumer> members)
        {
            _tasks = members.Select((member, index) => Task.Run(async () =>
            {
                try
                {
                    await foreach (var result in member.ConsumeAsync(_stop.Token))
                        Received.Add((index, result.Partition, result.Record.Offset));
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                }
            })).ToList();
        }

        public ConcurrentBag<(int Member, int Partition, long Offset)> Received { get; } = [];

        public int Distinct => Received.Select(r => (r.Partition, r.Offset)).Distinct().Count();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_tasks);
        }
    }

    [Theory]
    [InlineData(GroupMembershipProtocol.Consumer, AssignorNames.Uniform)]
    [InlineData(GroupMembershipProtocol.Consumer, AssignorNames.Range)]
    [InlineData(GroupMembershipProtocol.Classic, AssignorNames.CooperativeSticky)]
    [InlineData(GroupMembershipProtocol.Classic, AssignorNames.Range)]
    public async Task Three_members_split_six_partitions_and_receive_every_record_once(GroupMembershipProtocol protocol, string assignor)
    {
        var topic = $"events-{protocol}-{assignor}";
        var group = $"workers-{protocol}-{assignor}";
        HubGroupConsumer Member() => Join(group, topic, assignor, protocol: protocol);
        await Client.Admin.CreateTopicAsync(topic, 6);
        HubGroupConsumer[] members = [Member(), Member(), Member()];
        await SharedEvenly(members, 6);
        var assignments = members.Select(m => m.Assignment.ToHashSet()).ToList();

        await ProduceAsync(Client, topic, 600);
        await using (var readers = new Readers(members))
        {
            await WaitUntilAsync(() => readers.Received.Count >= 600, "600 records are read");
            var received = readers.Received.ToList();
            Assert.Equal(600, received.Count);
            Assert.Equal(600, readers.Distinct);
            // Each member read only its own partitions, each partition in offset order.
            Assert.All(received, r => Assert.Contains(new TopicPartition(topic, r.Partition), assignments[r.Member]));
        }
        Assert.Equal(assignments, members.Select(m => m.Assignment.ToHashSet()));
    }

    [Fact]
    public async Task A_crashed_member_loses_its_partitions_within_the_session_timeout_and_no_record_is_skipped()
    {
        await Client.Admin.CreateTopicAsync("jobs", 6);
        HubGroupConsumer[] members = [Join("crew", "jobs"), Join("crew", "jobs"), Join("crew", "jobs")];
        await SharedEvenly(members, 6);
        await ProduceAsync(Client, "jobs", 300);

        await using var readers = new Readers(members);
        await WaitUntilAsync(() => readers.Received.Any(r => r.Member == 0), "the doomed member reads something");
        var stopwatch = Stopwatch.StartNew();
        await members[0].AbandonAsync(); // no commit, no LeaveGroup: as if its process died
        await ProduceAsync(Client, "jobs", 300, first: 300);

        HubGroupConsumer[] survivors = [members[1], members[2]];
        await SharedEvenly(survivors, 6);
        Assert.True(stopwatch.Elapsed < SessionTimeout + TimeSpan.FromSeconds(3), $"took {stopwatch.Elapsed} to reassign");
        await WaitUntilAsync(() => readers.Distinct == 600, "every record is read by someone");
        // At least once: what the crashed member read after its last commit is read again, nothing is lost.
        Assert.True(readers.Received.Count >= 600);
    }

    [Fact]
    public async Task Partitions_added_to_a_topic_are_assigned_to_the_group()
    {
        await Client.Admin.CreateTopicAsync("growing", 2);
        HubGroupConsumer[] members = [Join("growers", "growing"), Join("growers", "growing")];
        await SharedEvenly(members, 2);
        await Client.Admin.AddPartitionsAsync("growing", 5);
        await SharedEvenly(members, 5);
    }

    [Fact]
    public async Task Two_groups_each_receive_every_record()
    {
        await Client.Admin.CreateTopicAsync("news", 3);
        HubGroupConsumer[] billing = [Join("billing", "news"), Join("billing", "news")];
        HubGroupConsumer[] audit = [Join("audit", "news", AssignorNames.RoundRobin, protocol: GroupMembershipProtocol.Classic)];
        await SharedEvenly(billing, 3);
        await SharedEvenly(audit, 3);
        await ProduceAsync(Client, "news", 200, compression: Hub.Batches.CompressionType.Snappy); // members read compressed batches too

        await using var billingReaders = new Readers(billing);
        await using var auditReaders = new Readers(audit);
        await WaitUntilAsync(() => billingReaders.Distinct == 200 && auditReaders.Distinct == 200, "both groups read all 200 records");
        Assert.Equal(200, billingReaders.Received.Count);
        Assert.Equal(200, auditReaders.Received.Count);
    }

    [Fact]
    public async Task Consuming_fails_clearly_without_a_committed_offset_under_reset_none_or_with_an_unknown_topic()
    {
        await Client.Admin.CreateTopicAsync("strict", 1);
        await using var strict = Join("strict-group", "strict", reset: AutoOffsetReset.None);
        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in strict.ConsumeAsync(new CancellationTokenSource(Bound).Token)) { }
        });
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Code);
        Assert.Contains("no committed offset for strict/0", error.Message);

        await using var lost = Join("lost-group", "no-such-topic");
        var unknown = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in lost.ConsumeAsync(new CancellationTokenSource(Bound).Token)) { }
        });
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.Code);
    }

    [Fact]
    public async Task Admin_lists_describes_resets_and_deletes_groups()
    {
        await Client.Admin.CreateTopicAsync("payments", 2);
        await ProduceAsync(Client, "payments", 50);
        var consumer = Join("settlement", "payments", autoCommit: false);
        var read = 0;
        using (var timeout = new CancellationTokenSource(Bound))
        {
            await foreach (var _ in consumer.ConsumeAsync(timeout.Token))
            {
                if (++read == 50) break;
            }
            await consumer.CommitAsync(timeout.Token);
        }
        await ProduceAsync(Client, "payments", 10, first: 50);

        var active = await Client.Admin.DescribeGroupAsync("settlement");
        Assert.Equal(GroupState.Stable, active.State);
        var member = Assert.Single(active.Members);
        Assert.Equal(consumer.MemberId, member.MemberId);
        Assert.Equal(2, member.Assignment.Count);
        Assert.Equal([50L], [active.Partitions.Sum(p => p.CommittedOffset!.Value)]);
        Assert.Equal([60L], [active.Partitions.Sum(p => p.LogEndOffset!.Value)]);
        Assert.Equal(10, active.Partitions.Sum(p => p.Lag));
        Assert.All(active.Partitions, p => Assert.Equal(consumer.MemberId, p.MemberId));
        Assert.Contains(await Client.Admin.ListGroupsAsync(), g => g.GroupId == "settlement" && g.State == GroupState.Stable);

        Assert.Equal(ErrorCode.NonEmptyGroup,
            (await Assert.ThrowsAsync<HubException>(() => Client.Admin.ResetOffsetsAsync("settlement", "payments", OffsetResetTarget.Earliest))).Code);
        Assert.Equal(ErrorCode.NonEmptyGroup, (await Assert.ThrowsAsync<HubException>(() => Client.Admin.DeleteGroupAsync("settlement"))).Code);
        Assert.Equal(ErrorCode.GroupSubscribedToTopic,
            (await Assert.ThrowsAsync<HubException>(() => Client.Admin.DeleteOffsetsAsync("settlement", "payments"))).Code);

        await consumer.DisposeAsync();
        Assert.Equal(GroupState.Empty, (await Client.Admin.DescribeGroupAsync("settlement")).State);

        var planned = await Client.Admin.ResetOffsetsAsync("settlement", "payments", OffsetResetTarget.ToOffset(1_000), dryRun: true);
        Assert.Equal(60, planned.Sum(p => p.Offset)); // clamped to each partition's end
        Assert.Equal(50, (await Client.Admin.DescribeGroupAsync("settlement")).Partitions.Sum(p => p.CommittedOffset));
        await Client.Admin.ResetOffsetsAsync("settlement", "payments", OffsetResetTarget.ToTimestamp(DateTimeOffset.UtcNow.AddDays(-1)), partitions: [0]);
        await Client.Admin.ResetOffsetsAsync("settlement", "payments", OffsetResetTarget.Latest, partitions: [1]);
        var reset = await Client.Admin.DescribeGroupAsync("settlement");
        Assert.Equal(0, reset.Partitions[0].CommittedOffset);
        Assert.Equal(0, reset.Partitions[1].Lag);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Assert.ThrowsAsync<HubException>(() =>
            Client.Admin.ResetOffsetsAsync("settlement", "payments", OffsetResetTarget.Earliest, partitions: [7]))).Code);

        await Client.Admin.DeleteOffsetsAsync("settlement", "payments", partitions: [1]);
        var deleted = await Client.Admin.DescribeGroupAsync("settlement");
        Assert.Equal(0, Assert.Single(deleted.Partitions, p => p.CommittedOffset is not null).Partition);

        await Client.Admin.DeleteGroupAsync("settlement");
        Assert.Equal(ErrorCode.GroupIdNotFound, (await Assert.ThrowsAsync<HubException>(() => Client.Admin.DescribeGroupAsync("settlement"))).Code);
        Assert.DoesNotContain(await Client.Admin.ListGroupsAsync(), g => g.GroupId == "settlement");
    }
}
