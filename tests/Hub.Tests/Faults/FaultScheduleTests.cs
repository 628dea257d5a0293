using Hub.Faults.Faults;

namespace Hub.Tests.Faults;

public sealed class FaultScheduleTests
{
    private static readonly string[] Kinds = ["kill-broker", "pause-broker", "restart-store", "rolling-restart"];

    [Fact]
    public void The_same_seed_gives_the_same_faults()
    {
        Assert.Equal(Draw(new FaultSchedule(Kinds, new Random(42)), 40), Draw(new FaultSchedule(Kinds, new Random(42)), 40));
        Assert.NotEqual(Draw(new FaultSchedule(Kinds, new Random(42)), 40), Draw(new FaultSchedule(Kinds, new Random(43)), 40));
    }

    [Fact]
    public void Every_round_is_every_kind_once()
    {
        var faults = Draw(new FaultSchedule(Kinds, new Random(7)), Kinds.Length * 5);

        foreach (var round in faults.Chunk(Kinds.Length)) Assert.Equal(Kinds.Order(), round.Order());
    }

    [Fact]
    public void Only_the_chosen_kinds_come()
    {
        Assert.All(Draw(new FaultSchedule(["kill-leader"], new Random(1)), 5), kind => Assert.Equal("kill-leader", kind));
    }

    private static List<string> Draw(FaultSchedule schedule, int count) => [.. Enumerable.Range(0, count).Select(_ => schedule.Next())];
}
