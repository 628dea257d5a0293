using Hub.Errors;
using Hub.Groups;
using Hub.Silo.Configuration;
using Hub.Silo.Groups;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Groups;

/// <summary>A group's committed offsets on a fake clock, without a cluster: commit rules, fetch and retention.</summary>
public sealed class GroupOffsetStoreTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ConsumerGroupState _record = new();
    private readonly GroupOffsetStore _store;

    /// <summary>Topic "orders" has 4 partitions; "missing" does not exist.</summary>
    private static readonly Dictionary<string, int?> Counts = new() { ["orders"] = 4, ["missing"] = null };

    public GroupOffsetStoreTests() =>
        _store = new GroupOffsetStore(() => _record, new HubSiloOptions { OffsetsRetention = Retention, OffsetMetadataMaxBytes = 16 }, _time);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private bool Commit(params OffsetCommitEntry[] offsets) => _store.Commit(offsets, Counts, () => { });

    private ErrorCode Refused(params OffsetCommitEntry[] offsets) => Assert.Throws<HubException>(() => Commit(offsets)).Code;

    [Fact]
    public void A_commit_is_stored_with_its_time_and_fetched_back()
    {
        Assert.True(Commit(new OffsetCommitEntry("orders", 1, 10, LeaderEpoch: 3, Metadata: "ckpt")));
        var stored = Assert.Single(_store.Fetch(null));
        Assert.Equal(new CommittedOffset("orders", 1, 10, 3, "ckpt", NowMs), stored);
        Assert.Equal([CommittedOffset.None, 10], _store.Fetch([new TopicPartition("orders", 0), new TopicPartition("orders", 1)]).Select(o => o.Offset));
        Assert.False(Commit()); // nothing to store
    }

    [Fact]
    public void Offsets_committed_in_a_transaction_stay_pending_until_it_commits_and_are_dropped_when_it_aborts()
    {
        Commit(new OffsetCommitEntry("orders", 0, 5));
        var p0 = new TopicPartition("orders", 0);
        Assert.True(_store.CommitPending(producerId: 7, [new OffsetCommitEntry("orders", 0, 9)], Counts, () => { }));
        Assert.True(_store.CommitPending(producerId: 8, [new OffsetCommitEntry("orders", 1, 3)], Counts, () => { }));
        Assert.Equal(5, _store.Fetch([p0]).Single().Offset);
        Assert.True(_store.HasPending(p0));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition,
            Assert.Throws<HubException>(() => _store.CommitPending(7, [new OffsetCommitEntry("missing", 0, 1)], Counts, () => { })).Code);

        Assert.True(_store.CompleteTransaction(producerId: 7, commit: true));
        Assert.False(_store.HasPending(p0));
        Assert.Equal(9, _store.Fetch([p0]).Single().Offset);
        Assert.True(_store.CompleteTransaction(producerId: 8, commit: false));
        Assert.Equal(CommittedOffset.None, _store.Fetch([new TopicPartition("orders", 1)]).Single().Offset);
        Assert.False(_store.CompleteTransaction(producerId: 8, commit: true)); // a repeated marker
    }

    [Fact]
    public void One_bad_entry_refuses_the_whole_commit()
    {
        Commit(new OffsetCommitEntry("orders", 0, 5));
        var good = new OffsetCommitEntry("orders", 0, 6);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Refused(good, new OffsetCommitEntry("missing", 0, 1)));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Refused(good, new OffsetCommitEntry("orders", 4, 1)));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Refused(good, new OffsetCommitEntry("orders", -1, 1)));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Refused(good, new OffsetCommitEntry("", 0, 1)));
        Assert.Equal(ErrorCode.InvalidRequest, Refused(good, new OffsetCommitEntry("orders", 1, -1)));
        Assert.Equal(ErrorCode.InvalidRequest, Refused(good, null!));
        Assert.Equal(ErrorCode.OffsetMetadataTooLarge, Refused(good, new OffsetCommitEntry("orders", 1, 1, Metadata: new string('é', 9))));
        Assert.Equal(5, Assert.Single(_store.Fetch(null)).Offset);
    }

    [Fact]
    public void A_refused_committer_stores_nothing()
    {
        var refusal = new HubException(ErrorCode.IllegalGeneration, "stale");
        Assert.Same(refusal, Assert.Throws<HubException>(() => _store.Commit([new OffsetCommitEntry("orders", 0, 5)], Counts, () => throw refusal)));
        Assert.Empty(_store.Fetch(null));
    }

    [Fact]
    public void Offsets_expire_retention_after_the_later_of_their_commit_and_the_group_becoming_empty()
    {
        Commit(new OffsetCommitEntry("orders", 0, 1));
        _time.Advance(TimeSpan.FromMinutes(10));
        Commit(new OffsetCommitEntry("orders", 1, 1));
        var emptySince = NowMs;
        _time.Advance(TimeSpan.FromMinutes(20));
        Commit(new OffsetCommitEntry("orders", 2, 1)); // committed by an admin after the group emptied

        // Partitions 0 and 1 count from when the group emptied, partition 2 from its commit.
        _time.Advance(Retention - TimeSpan.FromMinutes(20) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _store.Expire(emptySince));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, _store.Expire(emptySince));
        Assert.Equal([2], _store.Fetch(null).Select(o => o.Partition));
        _time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(1, _store.Expire(emptySince));
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public void Offsets_of_a_group_that_never_had_members_count_from_their_commit()
    {
        Commit(new OffsetCommitEntry("orders", 0, 1));
        _time.Advance(Retention - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _store.Expire(emptySinceMs: -1));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _store.Expire(emptySinceMs: -1));
    }
}
