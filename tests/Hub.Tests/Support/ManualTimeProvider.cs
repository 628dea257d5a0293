namespace Hub.Tests.Support;

/// <summary>
/// A clock that moves only when a test says so. Thread-safe: a producer under test reads it from its own threads.
/// It has no timers of its own (a timer created on it runs on real time), so tests drive the code by hand.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <summary>Starts at the real time, so segment files' own timestamps (on reopen) look as old as the clock says.</summary>
    public ManualTimeProvider() : this(DateTimeOffset.UtcNow)
    {
    }

    public long NowMs => GetUtcNow().ToUnixTimeMilliseconds();

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Elapsed-time measurements follow the manual clock too.</summary>
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

    public void Advance(int ms) => Advance(TimeSpan.FromMilliseconds(ms));
}
