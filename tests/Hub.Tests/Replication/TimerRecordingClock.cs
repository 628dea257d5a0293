using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Hub.Tests.Replication;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer created (a Task.Delay or WaitAsync started), so a test
/// knows a loop reached its wait before it moves the clock: a timer created after the move would miss it.
/// </summary>
internal sealed class TimerRecordingClock() : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    private readonly BlockingCollection<TimeSpan> _created = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _created.Add(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created, waiting for it at most <paramref name="bound"/>.</summary>
    public TimeSpan NextTimer(TimeSpan bound) =>
        _created.TryTake(out var dueTime, bound) ? dueTime : throw new TimeoutException($"no timer was created within {bound}");
}
