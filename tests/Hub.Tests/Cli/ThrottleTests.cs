using System.Diagnostics;
using Hub.Cli.Perf;

namespace Hub.Tests.Cli;

public sealed class ThrottleTests
{
    [Fact]
    public void Unlimited_never_waits()
    {
        var throttle = new Throttle(0, 0);

        Assert.Equal(TimeSpan.Zero, throttle.DelayBefore(1_000_000, 0));
    }

    [Fact]
    public void Waits_until_the_send_is_due_at_the_target_rate()
    {
        var throttle = new Throttle(100, 0);

        // Send 50 at 100/s is due half a second in; asked at the start, wait half a second.
        Assert.Equal(0.5, throttle.DelayBefore(50, 0).TotalSeconds, precision: 3);
        Assert.Equal(0.25, throttle.DelayBefore(50, Stopwatch.Frequency / 4).TotalSeconds, precision: 3);
    }

    [Fact]
    public void A_sender_that_fell_behind_goes_without_waiting()
    {
        var throttle = new Throttle(100, 0);

        Assert.Equal(TimeSpan.Zero, throttle.DelayBefore(50, Stopwatch.Frequency));
    }

    [Fact]
    public void A_sender_less_than_a_millisecond_ahead_goes_without_waiting()
    {
        var throttle = new Throttle(1_000_000, 0);

        // Send 500 at 1M/s is due half a millisecond in: too short to sleep, so it goes now.
        Assert.Equal(TimeSpan.Zero, throttle.DelayBefore(500, 0));
        Assert.Equal(2, throttle.DelayBefore(2_000, 0).TotalMilliseconds, precision: 3);
    }
}
