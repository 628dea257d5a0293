namespace Hub.Tests.Log;

/// <summary>A clock that moves only when a test says so.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now;

    /// <summary>Starts at the real time, so segment files' own timestamps (on reopen) look as old as the clock says.</summary>
    public ManualTimeProvider() => _now = DateTimeOffset.UtcNow;

    public long NowMs => _now.ToUnixTimeMilliseconds();

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Elapsed-time measurements follow the manual clock too.</summary>
    public override long GetTimestamp() => _now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => _now += by;
}
