using Hub.Errors;
using Hub.Silo.Replication;
using Hub.Topics;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Replication;

/// <summary>acks=all appends: refused below min.insync.replicas, completed by the high watermark (or failed if the ISR shrank below it meanwhile), timed out, abandoned.</summary>
public sealed class AcksAllWaitersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly PartitionAssignment AllInSync = new(0, Leader: 1, LeaderEpoch: 0, Replicas: [1, 2, 3], Isr: [1, 2, 3]);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly AcksAllWaiters _waiters;

    public AcksAllWaitersTests() => _waiters = new AcksAllWaiters(minInSyncReplicas: 2, Timeout, _clock, AllInSync);

    [Fact]
    public void An_append_is_refused_when_the_isr_is_below_min_insync_replicas()
    {
        _waiters.Release(0, AllInSync with { Isr = [1, 2], Version = 1 });
        _waiters.RefuseBelowMinInSync();
        _waiters.Release(0, AllInSync with { Isr = [1], Version = 2 });
        var error = Assert.Throws<HubException>(_waiters.RefuseBelowMinInSync);
        Assert.Equal(ErrorCode.NotEnoughReplicas, error.Code);
    }

    [Fact]
    public async Task Waiters_complete_once_the_high_watermark_passes_their_last_offset_in_offset_order()
    {
        Assert.True(_waiters.WaitFor(endOffset: 5, highWatermark: 5).IsCompletedSuccessfully);
        var first = _waiters.WaitFor(endOffset: 9, highWatermark: 5);
        var second = _waiters.WaitFor(endOffset: 7, highWatermark: 5);

        _waiters.Release(6, AllInSync);
        Assert.False(first.IsCompleted || second.IsCompleted);
        _waiters.Release(8, AllInSync);
        await second.WaitAsync(Bound);
        Assert.False(first.IsCompleted);
        _waiters.Release(9, AllInSync);
        await first.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_waiter_times_out_after_the_replication_timeout_with_request_timed_out()
    {
        var waiting = _waiters.WaitFor(endOffset: 9, highWatermark: 5);
        _clock.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<HubException>(() => waiting.WaitAsync(Bound));
        Assert.Equal(ErrorCode.RequestTimedOut, error.Code);
        Assert.Contains("in-sync replicas 1,2,3 did not all confirm offset 8", error.Message);
    }

    [Fact]
    public async Task Waiters_fail_with_the_reason_when_the_leadership_ends()
    {
        var waiting = _waiters.WaitFor(endOffset: 9, highWatermark: 5);
        _waiters.Abandon(new HubException(ErrorCode.NotLeaderOrFollower, "moved"));
        var error = await Assert.ThrowsAsync<HubException>(() => waiting.WaitAsync(Bound));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, error.Code);
    }

    /// <summary>Issue 14 item 1: this completed "ok", acknowledging records held by the leader alone.</summary>
    [Fact]
    public async Task A_waiter_passed_by_the_high_watermark_after_the_isr_shrank_below_min_insync_fails_with_not_enough_replicas_after_append()
    {
        // Appended with the ISR full; both followers then leave it, and the leader's high watermark alone passes the append.
        var waiting = _waiters.WaitFor(endOffset: 9, highWatermark: 5);
        _waiters.Release(5, AllInSync with { Isr = [1], Version = 1 });
        Assert.False(waiting.IsCompleted);
        _waiters.Release(9, AllInSync with { Isr = [1], Version = 1 });
        var error = await Assert.ThrowsAsync<HubException>(() => waiting.WaitAsync(Bound));
        Assert.Equal(ErrorCode.NotEnoughReplicasAfterAppend, error.Code);
        Assert.Contains("offsets up to 8 are written, but 1 replica(s) in sync, min.insync.replicas is 2", error.Message);
    }

    [Fact]
    public async Task A_waiter_passed_by_the_high_watermark_after_the_isr_shrank_to_min_insync_completes()
    {
        var waiting = _waiters.WaitFor(endOffset: 9, highWatermark: 5);
        _waiters.Release(9, AllInSync with { Isr = [1, 3], Version = 1 });
        await waiting.WaitAsync(Bound);
    }
}
