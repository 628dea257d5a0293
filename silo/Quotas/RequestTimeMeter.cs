namespace Hub.Silo.Quotas;

/// <summary>
/// How long one Kafka request kept the front door busy, for request_percentage quotas: its wall time less the time
/// in which it was only waiting for grain calls (<see cref="RequestTimeGrainCallFilter"/> reports them). Kafka meters
/// its request threads' time and not a request's wait in purgatory; here a fetch's long poll, an acks=all append's
/// replication and a JoinGroup's rebalance all happen inside grain calls, so they are not metered, and neither is the
/// partitions' own work on the call. What is metered is the front door's: parsing, authorizing, looking up,
/// answering. Calls made in parallel count once: waiting is the time at least one of them is out.
/// </summary>
internal sealed class RequestTimeMeter(TimeProvider time)
{
    private static readonly AsyncLocal<RequestTimeMeter?> CurrentMeter = new();

    private readonly long _started = time.GetTimestamp();
    private readonly Lock _lock = new();
    private int _outstanding;
    private long _waitingSince;
    private long _waited;

    /// <summary>The meter of the request this code runs for, if any (it flows with the request's awaits).</summary>
    public static RequestTimeMeter? Current
    {
        get => CurrentMeter.Value;
        set => CurrentMeter.Value = value;
    }

    public void CallStarted()
    {
        lock (_lock)
        {
            if (_outstanding++ == 0) _waitingSince = time.GetTimestamp();
        }
    }

    public void CallEnded()
    {
        lock (_lock)
        {
            if (--_outstanding == 0) _waited += time.GetTimestamp() - _waitingSince;
        }
    }

    /// <summary>The busy time so far: since the request started, less the time calls were out.</summary>
    public TimeSpan Busy
    {
        get
        {
            lock (_lock)
            {
                var now = time.GetTimestamp();
                var waited = _waited + (_outstanding > 0 ? now - _waitingSince : 0);
                return TimeSpan.FromSeconds(Math.Max(0, now - _started - waited) / (double)time.TimestampFrequency);
            }
        }
    }
}
