using Hub.Streaming;

namespace Hub.Tests.DeadLetters;

public sealed class DeliveryAttemptsTests
{
    [Fact]
    public void Failures_count_per_subscription_and_event_and_start_afresh_after_settling_or_at_another_event()
    {
        var attempts = new DeliveryAttempts();
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();

        Assert.Equal(1, attempts.Failed(a, offset: 7));
        Assert.Equal(2, attempts.Failed(a, offset: 7));
        Assert.Equal(1, attempts.Failed(b, offset: 7));
        Assert.Equal(3, attempts.Failed(a, offset: 7));
        // The subscription moved on (its agent skipped or replayed): a different event counts from one.
        Assert.Equal(1, attempts.Failed(a, offset: 8));

        attempts.Settled(a);
        Assert.Equal(1, attempts.Count);
        Assert.Equal(1, attempts.Failed(a, offset: 8));
    }
}
