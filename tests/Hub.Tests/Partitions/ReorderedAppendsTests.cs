using Hub.Silo.Partitions;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Partitions;

public sealed class ReorderedAppendsTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_wait_lasts_at_most_MaxWait()
    {
        using var wait = new ReorderedAppends(_clock).Start()!;
        Assert.Equal(ReorderedAppends.MaxWait, wait.Remaining);
        _clock.Advance(ReorderedAppends.MaxWait - TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(1), wait.Remaining);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(wait.Remaining <= TimeSpan.Zero);
    }

    [Fact]
    public void At_most_MaxWaiting_appends_wait_and_a_finished_wait_gives_its_place_back()
    {
        var appends = new ReorderedAppends(_clock);
        var waits = Enumerable.Range(0, ReorderedAppends.MaxWaiting).Select(_ => appends.Start()).ToList();
        Assert.All(waits, Assert.NotNull);
        Assert.Null(appends.Start());

        waits[0]!.Dispose();
        waits[0]!.Dispose(); // twice gives back one place only
        Assert.Equal(ReorderedAppends.MaxWaiting - 1, appends.Waiting);
        Assert.NotNull(appends.Start());
        Assert.Null(appends.Start());
    }
}
