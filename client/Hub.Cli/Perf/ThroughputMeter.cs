using System.Diagnostics;

namespace Hub.Cli.Perf;

/// <summary>
/// Counts records and bytes from any thread and, while running, prints the rate of the last second to stderr
/// once a second, so a long run shows it is alive and whether its rate is steady.
/// </summary>
public sealed class ThroughputMeter : IAsyncDisposable
{
    private const double BytesPerMegabyte = 1024 * 1024;

    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reporter;
    private long _records;
    private long _bytes;

    public ThroughputMeter(TextWriter progress) => _reporter = ReportEverySecondAsync(progress);

    public long Records => Interlocked.Read(ref _records);

    public void Add(long records, long bytes)
    {
        Interlocked.Add(ref _records, records);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>"records=N records/s=X MB/s=Y" over the whole run so far.</summary>
    public string Summary()
    {
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        var records = Interlocked.Read(ref _records);
        var bytes = Interlocked.Read(ref _bytes);
        return FormattableString.Invariant(
            $"records={records} records/s={records / seconds:F1} MB/s={bytes / BytesPerMegabyte / seconds:F2}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reporter;
        _stop.Dispose();
    }

    private async Task ReportEverySecondAsync(TextWriter progress)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        long lastRecords = 0, lastBytes = 0, lastTime = _start;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var records = Interlocked.Read(ref _records);
                var bytes = Interlocked.Read(ref _bytes);
                var seconds = Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds;
                progress.WriteLine(FormattableString.Invariant(
                    $"{records} records, {(records - lastRecords) / seconds:F1} records/s, {(bytes - lastBytes) / BytesPerMegabyte / seconds:F2} MB/s"));
                (lastRecords, lastBytes, lastTime) = (records, bytes, now);
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: the run is over.
        }
    }
}
