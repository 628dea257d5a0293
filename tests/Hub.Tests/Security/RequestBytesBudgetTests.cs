using System.Net;
using Hub.Silo.Kafka.Limits;

namespace Hub.Tests.Security;

public sealed class RequestBytesBudgetTests
{
    [Fact]
    public async Task A_request_waits_while_the_budget_is_spent_and_waiters_are_served_in_order()
    {
        var budget = new RequestBytesBudget(100);
        await budget.AcquireAsync(80, CancellationToken.None);
        var large = budget.AcquireAsync(50, CancellationToken.None).AsTask();
        var small = budget.AcquireAsync(10, CancellationToken.None).AsTask();
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted, "a small request does not overtake a larger one waiting before it");

        budget.Release(80);
        await large.WaitAsync(TimeSpan.FromSeconds(5));
        await small.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(40, budget.Available);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_lets_those_behind_it_in()
    {
        var budget = new RequestBytesBudget(100);
        await budget.AcquireAsync(60, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var blocked = budget.AcquireAsync(100, cancel.Token).AsTask();
        var behind = budget.AcquireAsync(40, CancellationToken.None).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        await behind.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, budget.Available);
    }

    [Fact]
    public async Task More_than_the_capacity_is_refused() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new RequestBytesBudget(10).AcquireAsync(11, CancellationToken.None).AsTask());
}

public sealed class ConnectionLimitsTests
{
    [Fact]
    public void Refuses_past_the_per_listener_and_per_address_limits_and_counts_closes()
    {
        var limits = new ConnectionLimits(maxPerListener: 3, maxPerAddress: 2);
        var (a, b) = (IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"));

        Assert.True(limits.TryOpen("PLAINTEXT", a));
        Assert.True(limits.TryOpen("PLAINTEXT", a));
        Assert.False(limits.TryOpen("SSL", a));
        Assert.True(limits.TryOpen("PLAINTEXT", b));
        Assert.False(limits.TryOpen("PLAINTEXT", b));
        Assert.True(limits.TryOpen("SSL", b));

        limits.Close("PLAINTEXT", a);
        Assert.True(limits.TryOpen("PLAINTEXT", b) == false && limits.TryOpen("SSL", a));
    }
}
