namespace Hub.Silo.Quotas;

/// <summary>
/// A rate per second measured as Kafka's quotas measure it (its SampledStat and Rate): what was recorded in the last
/// <c>samples</c> windows of <c>window</c> each, divided by the time they span, which counts as at least
/// <c>samples - 1</c> whole windows (so a client's first burst is spread over that much time, as in Kafka). A client
/// over its quota is told to wait (<see cref="ThrottleFor"/>) as long as it takes the rate to fall back to the quota
/// had it sent nothing more. Not thread-safe.
/// </summary>
internal sealed class WindowedRate
{
    private readonly TimeProvider _time;
    private readonly long _window;
    private readonly long[] _starts;
    private readonly double[] _values;
    private int _current;

    public WindowedRate(TimeProvider time, TimeSpan window, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        _time = time;
        _window = (long)(window.TotalSeconds * time.TimestampFrequency);
        _starts = new long[samples];
        _values = new double[samples];
        Array.Fill(_starts, time.GetTimestamp());
        LastRecorded = _starts[0];
    }

    /// <summary>When the last value was recorded (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastRecorded { get; private set; }

    /// <summary>The whole time the rate looks back over: a client idle this long measures zero.</summary>
    public TimeSpan Span => TimeSpan.FromSeconds((double)_window * _starts.Length / _time.TimestampFrequency);

    public void Record(double value)
    {
        var now = _time.GetTimestamp();
        Expire(now);
        if (now - _starts[_current] >= _window)
        {
            _current = (_current + 1) % _starts.Length;
            _starts[_current] = now;
            _values[_current] = 0;
        }
        _values[_current] += value;
        LastRecorded = now;
    }

    /// <summary>The rate per second now.</summary>
    public double PerSecond()
    {
        var now = _time.GetTimestamp();
        Expire(now);
        return _values.Sum() / Elapsed(now).TotalSeconds;
    }

    /// <summary>
    /// How long a client measuring above <paramref name="limit"/> per second must wait (Kafka's throttle time:
    /// (rate - limit) / limit of the measured time), at most the whole <see cref="Span"/>; zero at or below it.
    /// </summary>
    public TimeSpan ThrottleFor(double limit)
    {
        var rate = PerSecond();
        if (rate <= limit) return TimeSpan.Zero;
        var wait = Elapsed(_time.GetTimestamp()) * ((rate - limit) / limit);
        return wait < Span ? wait : Span;
    }

    /// <summary>The time the samples span, counted as at least all but one whole window.</summary>
    private TimeSpan Elapsed(long now)
    {
        var oldest = _starts.Min();
        var elapsed = Math.Max(now - oldest, (long)_window * (_starts.Length - 1));
        return TimeSpan.FromSeconds((double)elapsed / _time.TimestampFrequency);
    }

    /// <summary>Samples older than the whole span count for nothing more (Kafka's purge of obsolete samples).</summary>
    private void Expire(long now)
    {
        for (var i = 0; i < _starts.Length; i++)
        {
            if (now - _starts[i] < _window * _starts.Length) continue;
            _starts[i] = now;
            _values[i] = 0;
        }
    }
}
