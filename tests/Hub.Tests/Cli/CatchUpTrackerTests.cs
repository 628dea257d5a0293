using Hub.Cli.Consuming;

namespace Hub.Tests.Cli;

public sealed class CatchUpTrackerTests
{
    [Fact]
    public void Partitions_that_start_at_their_end_are_caught_up_at_once()
    {
        var tracker = new CatchUpTracker();
        tracker.Add(0, position: 10, end: 10);
        tracker.Add(1, position: 0, end: 0);

        Assert.True(tracker.AllCaughtUp);
    }

    [Fact]
    public void Caught_up_once_every_partition_reaches_its_end()
    {
        var tracker = new CatchUpTracker();
        tracker.Add(0, position: 0, end: 2);
        tracker.Add(1, position: 5, end: 6);

        tracker.Advance(0, 1);
        tracker.Advance(1, 6);
        Assert.False(tracker.AllCaughtUp);

        tracker.Advance(0, 2);
        Assert.True(tracker.AllCaughtUp);
    }

    [Fact]
    public void Only_offsets_present_at_the_start_are_before_the_end()
    {
        var tracker = new CatchUpTracker();
        tracker.Add(0, position: 0, end: 3);

        Assert.True(tracker.IsBeforeEnd(0, 2));
        Assert.False(tracker.IsBeforeEnd(0, 3));
    }

    [Fact]
    public void Refresh_takes_positions_that_moved_without_records()
    {
        var tracker = new CatchUpTracker();
        tracker.Add(0, position: 0, end: 3);
        tracker.Add(1, position: 0, end: 4);
        var asked = new List<int>();

        tracker.Refresh(partition => { asked.Add(partition); return partition == 0 ? 3 : 2; });
        Assert.False(tracker.AllCaughtUp);
        asked.Clear();
        tracker.Refresh(partition => { asked.Add(partition); return 4; });

        Assert.True(tracker.AllCaughtUp);
        Assert.Equal([1], asked); // partition 0 was already done
    }
}
