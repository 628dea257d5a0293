using Hub.Silo.Controller;
using Hub.Topics;
using static Hub.Tests.Controller.ControllerTesting;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Controller;

/// <summary>The replacement delay's clock: only brokers holding replicas and gone longer than the delay are replaced.</summary>
public sealed class GoneBrokersTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(5);

    private static readonly TopicMetadata[] Topics =
        [Topic("t", new PartitionAssignment(0, 1, 0, [1, 2, 3], [1, 2, 3]))];

    private readonly FakeTimeProvider _clock = new();
    private readonly GoneBrokers _gone;

    public GoneBrokersTests() => _gone = new GoneBrokers(_clock, Delay);

    [Fact]
    public void A_broker_is_replaced_only_once_gone_for_the_whole_delay()
    {
        _gone.Observe(Live(1, 2), Topics);
        var since = _clock.GetUtcNow();

        _clock.Advance(Delay - TimeSpan.FromSeconds(1));
        Assert.Empty(_gone.GoneTooLong([1, 2]));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([3], _gone.GoneTooLong([1, 2]));
        Assert.Equal(since, _gone.Since(3));
    }

    [Fact]
    public void Seeing_a_broker_gone_again_does_not_restart_its_clock()
    {
        _gone.Observe(Live(1, 2), Topics);
        _clock.Advance(Delay / 2);
        _gone.Observe(Live(1, 2), Topics);
        _clock.Advance(Delay / 2);

        Assert.Equal([3], _gone.GoneTooLong([1, 2]));
    }

    [Fact]
    public void A_broker_that_returns_starts_afresh_when_it_goes_again()
    {
        _gone.Observe(Live(1, 2), Topics);
        _clock.Advance(Delay / 2);
        _gone.Observe(Live(1, 2, 3), Topics);
        Assert.False(_gone.Any);

        _gone.Observe(Live(1, 2), Topics);
        _clock.Advance(Delay / 2);
        Assert.Empty(_gone.GoneTooLong([1, 2]));
        _clock.Advance(Delay / 2);
        Assert.Equal([3], _gone.GoneTooLong([1, 2]));
    }

    [Fact]
    public void A_broker_reported_live_again_is_not_replaced_even_before_the_next_membership_report()
    {
        _gone.Observe(Live(1, 2), Topics);
        _clock.Advance(Delay);

        Assert.Empty(_gone.GoneTooLong([1, 2, 3]));
    }

    [Fact]
    public void Brokers_without_replicas_are_not_watched_and_are_forgotten_once_replaced()
    {
        _gone.Observe(Live(1, 2), Topics); // brokers 4 and up hold nothing: not watched
        Assert.True(_gone.Any);

        var moved = Topics[0] with { Partitions = [new PartitionAssignment(0, 1, 0, [1, 2, 4], [1, 2])] };
        _gone.ForgetReplaced([moved]);

        Assert.False(_gone.Any);
    }

    [Theory]
    [InlineData(300, 75)]  // a quarter of the delay ...
    [InlineData(2, 1)]     // ... but at least a second
    public void The_check_interval_is_a_quarter_of_the_delay_but_at_least_a_second(int delaySeconds, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), new GoneBrokers(_clock, TimeSpan.FromSeconds(delaySeconds)).CheckInterval);
    }
}
