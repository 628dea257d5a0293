using Hub.Silo.Log;
using Hub.Topics;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Log;

/// <summary>flush.ms and flush.messages as <see cref="FlushPolicy"/> applies them, on a fake clock.</summary>
public sealed class FlushPolicyTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch.AddDays(1));

    private FlushPolicy Policy(long flushMs = long.MaxValue, long flushMessages = long.MaxValue) =>
        new(_clock, TopicConfig.Default with { FlushMs = flushMs, FlushMessages = flushMessages });

    [Fact]
    public void Flush_ms_zero_asks_every_append_to_fsync_inline()
    {
        var policy = Policy(flushMs: 0);
        Assert.True(policy.Appended(1));
        Assert.True(policy.Appended(1));
    }

    [Fact]
    public void Flush_messages_asks_for_an_inline_fsync_once_that_many_records_are_unflushed()
    {
        var policy = Policy(flushMessages: 5);
        Assert.False(policy.Appended(2));
        Assert.False(policy.Appended(2));
        Assert.True(policy.Appended(1));
        Assert.Equal(5, policy.UnflushedRecords);
    }

    [Fact]
    public void Flush_ms_makes_a_background_fsync_due_when_the_oldest_unflushed_append_is_that_old()
    {
        var policy = Policy(flushMs: 1000);
        Assert.False(policy.IsDue);
        Assert.False(policy.Appended(1)); // flush.ms alone never makes an append wait
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        policy.Appended(1);
        _clock.Advance(TimeSpan.FromMilliseconds(399));
        Assert.False(policy.IsDue);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(policy.IsDue);
    }

    [Fact]
    public void A_flush_covers_its_mark_and_leaves_later_appends_unflushed_as_if_made_at_the_mark()
    {
        var policy = Policy(flushMs: 1000);
        policy.Appended(3);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var mark = policy.Mark();
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        policy.Appended(2); // while the fsync runs

        policy.Flushed(mark);

        Assert.Equal(2, policy.UnflushedRecords);
        Assert.Equal(1, policy.FlushCount);
        _clock.Advance(TimeSpan.FromMilliseconds(899)); // 999 ms after the mark
        Assert.False(policy.IsDue);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(policy.IsDue);
    }

    [Fact]
    public void Flushes_may_complete_in_any_order()
    {
        var policy = Policy();
        policy.Appended(1);
        var older = policy.Mark();
        policy.Appended(1);
        var newer = policy.Mark();

        policy.Flushed(newer);
        policy.Flushed(older);

        Assert.Equal(0, policy.UnflushedRecords);
        Assert.Equal(1, policy.FlushCount);
    }

    [Fact]
    public void Discarded_appends_are_no_longer_due_and_not_counted_as_a_flush()
    {
        var policy = Policy(flushMs: 1000);
        policy.Appended(4);
        _clock.Advance(TimeSpan.FromSeconds(5));

        policy.Discarded();

        Assert.False(policy.IsDue);
        Assert.Equal(0, policy.FlushCount);
        policy.Appended(1);
        Assert.False(policy.IsDue); // a fresh window starts at this append
    }

    [Fact]
    public void A_changed_config_applies_to_the_appends_already_made()
    {
        var policy = Policy();
        policy.Appended(3);
        Assert.False(policy.IsDue);
        policy.UpdateConfig(TopicConfig.Default with { FlushMs = long.MaxValue, FlushMessages = 3 });
        Assert.True(policy.IsDue);
    }

    [Fact]
    public void A_flush_is_overdue_once_the_oldest_unflushed_append_is_the_lateness_limit_past_flush_ms()
    {
        var policy = Policy(flushMs: 100);
        policy.Appended(1);
        _clock.Advance(TimeSpan.FromMilliseconds(100) + FlushPolicy.MaxFlushLateness - TimeSpan.FromMilliseconds(1));
        Assert.True(policy.IsDue);
        Assert.False(policy.IsOverdue);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(policy.IsOverdue);

        policy.Flushed(policy.Mark());
        Assert.False(policy.IsOverdue);
    }

    [Fact]
    public void Without_a_time_based_flush_nothing_is_ever_overdue()
    {
        var policy = Policy();
        policy.Appended(1);
        _clock.Advance(TimeSpan.FromDays(365));
        Assert.False(policy.IsOverdue);
    }
}
