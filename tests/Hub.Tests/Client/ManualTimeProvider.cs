namespace Hub.Tests.Client;

/// <summary>A clock that only moves when told, so linger tests don't depend on the machine's speed.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _nowMs;

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => Interlocked.Read(ref _nowMs);

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch.AddMilliseconds(Interlocked.Read(ref _nowMs));

    public void Advance(int ms) => Interlocked.Add(ref _nowMs, ms);
}
