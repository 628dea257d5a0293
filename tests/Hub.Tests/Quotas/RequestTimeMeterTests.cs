using Hub.Silo.Quotas;
using Hub.Tests.Support;

namespace Hub.Tests.Quotas;

public sealed class RequestTimeMeterTests
{
    [Fact]
    public void Busy_time_is_the_requests_time_less_the_time_grain_calls_were_out_counting_parallel_calls_once()
    {
        var clock = new ManualTimeProvider();
        var meter = new RequestTimeMeter(clock);
        clock.Advance(2);
        meter.CallStarted();
        clock.Advance(10);
        meter.CallStarted(); // a second partition's call beside the first
        clock.Advance(5);
        meter.CallEnded();
        clock.Advance(5);
        Assert.Equal(TimeSpan.FromMilliseconds(2), meter.Busy); // still waiting: nothing more is busy
        meter.CallEnded();
        clock.Advance(3);
        Assert.Equal(TimeSpan.FromMilliseconds(5), meter.Busy);
    }
}
