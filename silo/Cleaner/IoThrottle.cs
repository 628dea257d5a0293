namespace Hub.Silo.Cleaner;

/// <summary>
/// Keeps the cleaner's disk traffic (bytes read plus written, all cleaner threads together) under
/// log.cleaner.io.max.bytes.per.second, as Kafka's Throttler: it measures the rate over short periods and, when a
/// period went too fast, tells the caller how long to pause. Thread-safe.
/// </summary>
internal sealed class IoThrottle(double maxBytesPerSecond, TimeProvider time)
{
    /// <summary>How often the rate is looked at (Kafka's Throttler: 300 ms): often enough to keep bursts short, rarely enough to cost nothing.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(300);

    private readonly Lock _lock = new();
    private long _periodStart = time.GetTimestamp();
    private double _bytesInPeriod;

    public bool IsUnlimited => maxBytesPerSecond >= double.MaxValue;

    /// <summary>Counts <paramref name="bytes"/> of I/O; returns how long to pause so the rate stays under the limit (zero mostly).</summary>
    public TimeSpan Account(long bytes)
    {
        if (IsUnlimited) return TimeSpan.Zero;
        lock (_lock)
        {
            _bytesInPeriod += bytes;
            var elapsed = time.GetElapsedTime(_periodStart);
            if (elapsed < CheckInterval) return TimeSpan.Zero;
            var needed = TimeSpan.FromSeconds(_bytesInPeriod / maxBytesPerSecond);
            var pause = needed > elapsed ? needed - elapsed : TimeSpan.Zero;
            // The next period starts once the pause is over, so the pause doesn't count as idle time in it.
            _periodStart = time.GetTimestamp() + (long)(pause.TotalSeconds * time.TimestampFrequency);
            _bytesInPeriod = 0;
            return pause;
        }
    }

    /// <summary><see cref="Account"/>, pausing the calling (cleaner) thread as long as it says, or until cancelled.</summary>
    public void Take(long bytes, CancellationToken cancel)
    {
        var pause = Account(bytes);
        if (pause > TimeSpan.Zero) cancel.WaitHandle.WaitOne(pause);
        cancel.ThrowIfCancellationRequested();
    }
}
