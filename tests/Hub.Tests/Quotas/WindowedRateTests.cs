using Hub.Silo.Quotas;
using Hub.Tests.Support;

namespace Hub.Tests.Quotas;

/// <summary>Kafka's windowed rate and throttle time, on a clock the test moves.</summary>
public sealed class WindowedRateTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void A_first_burst_is_spread_over_all_but_one_window()
    {
        var rate = new WindowedRate(_time, TimeSpan.FromSeconds(1), samples: 11);
        rate.Record(10_000);
        Assert.Equal(1_000, rate.PerSecond(), precision: 6);
    }

    [Fact]
    public void Throttle_time_is_how_long_until_the_rate_falls_back_to_the_limit()
    {
        var rate = new WindowedRate(_time, TimeSpan.FromSeconds(1), samples: 11);
        rate.Record(20_000); // 2,000/s over 10 s

        Assert.Equal(TimeSpan.Zero, rate.ThrottleFor(2_000));
        // (2,000 - 1,000) / 1,000 of the 10 s measured: sending nothing for 10 s brings it to 1,000/s over 20 s.
        Assert.Equal(TimeSpan.FromSeconds(10), rate.ThrottleFor(1_000));
        // At most the span it looks back over, however far above the limit.
        Assert.Equal(TimeSpan.FromSeconds(11), rate.ThrottleFor(1));
    }

    [Fact]
    public void What_was_recorded_leaves_the_rate_once_its_window_is_past_the_span()
    {
        var rate = new WindowedRate(_time, TimeSpan.FromSeconds(1), samples: 3);
        rate.Record(600);
        _time.Advance(TimeSpan.FromSeconds(1));
        rate.Record(300);
        Assert.Equal(450, rate.PerSecond(), precision: 6); // 900 over 2 s

        _time.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Equal(120, rate.PerSecond(), precision: 6); // the first window expired: 300 over the 2.5 s since the second began
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, rate.PerSecond());
    }
}
