using System.Diagnostics;

namespace Hub.Cli.Perf;

/// <summary>
/// Holds a sender to a target rate: before each send it says how long to wait so that the sends so far
/// average no more than the target since the start, as Kafka's producer-perf throttle does. Averaging over the
/// whole run, not per send, lets a sender that fell behind catch up in a burst.
/// </summary>
public sealed class Throttle(long recordsPerSecond, long startTimestamp)
{
    /// <summary>No limit.</summary>
    public bool IsUnlimited => recordsPerSecond <= 0;

    /// <summary>How long to wait before send number <paramref name="sent"/> (0-based) at <paramref name="now"/> (Stopwatch ticks).</summary>
    public TimeSpan DelayBefore(long sent, long now)
    {
        if (IsUnlimited) return TimeSpan.Zero;
        var due = startTimestamp + (long)((double)sent / recordsPerSecond * Stopwatch.Frequency);
        return due > now ? Stopwatch.GetElapsedTime(now, due) : TimeSpan.Zero;
    }
}
