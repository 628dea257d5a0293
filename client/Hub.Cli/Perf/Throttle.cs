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
    private bool IsUnlimited => recordsPerSecond <= 0;

    /// <summary>
    /// How long to wait before send number <paramref name="sent"/> (0-based) at <paramref name="now"/> (Stopwatch
    /// ticks): zero unless it is due a millisecond or more from now. A shorter Thread.Sleep is a bare yield, so a
    /// sender a few microseconds ahead on every record spun a whole core (half of a 2-core machine at 780k
    /// records/s, which the latency figures then measured); sending up to a millisecond early keeps the rate, in
    /// bursts of a millisecond's worth.
    /// </summary>
    public TimeSpan DelayBefore(long sent, long now)
    {
        if (IsUnlimited) return TimeSpan.Zero;
        var due = startTimestamp + (long)((double)sent / recordsPerSecond * Stopwatch.Frequency);
        return due > now && Stopwatch.GetElapsedTime(now, due) is var delay && delay >= MinSleep ? delay : TimeSpan.Zero;
    }

    /// <summary>Blocks until send number <paramref name="sent"/> is due (see <see cref="DelayBefore"/>).</summary>
    public void WaitBefore(long sent)
    {
        if (DelayBefore(sent, Stopwatch.GetTimestamp()) is var delay && delay > TimeSpan.Zero) Thread.Sleep(delay);
    }

    private static readonly TimeSpan MinSleep = TimeSpan.FromMilliseconds(1);
}
