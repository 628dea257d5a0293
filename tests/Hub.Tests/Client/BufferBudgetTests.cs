using Hub.Client.Producing;

namespace Hub.Tests.Client;

public class BufferBudgetTests
{
    [Fact]
    public async Task An_async_wait_ends_when_bytes_are_returned()
    {
        var budget = new BufferBudget(100);
        budget.Take(100);

        var wait = budget.WaitForRoomAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        budget.Return(1);

        await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(budget.IsExhausted);
    }

    [Fact]
    public async Task A_blocking_wait_ends_when_bytes_are_returned()
    {
        var budget = new BufferBudget(100);
        budget.Take(150);

        var wait = Task.Factory.StartNew(budget.WaitForRoom, TaskCreationOptions.LongRunning);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        budget.Return(50);
        Assert.False(wait.IsCompleted || await Task.WhenAny(wait, Task.Delay(50)) == wait); // 100 of 100: still full
        budget.Return(1);

        await wait.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cancelling_an_async_wait_stops_it()
    {
        var budget = new BufferBudget(10);
        budget.Take(10);
        using var cancel = new CancellationTokenSource(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => budget.WaitForRoomAsync(cancel.Token));
    }
}
