using Microsoft.Extensions.Hosting;

namespace Hub.Silo.Storage;

/// <summary>
/// Fault injection's outside handle on a live silo's disk: turns <see cref="IoFaultSwitch"/> on while the marker
/// file exists and off when it is gone, checking every <see cref="CheckInterval"/> rather than on every write, so
/// the writes themselves only read a flag. Runs only in a silo started with Hub:FaultInjection:Enabled.
/// </summary>
internal sealed class FailIoMarkerWatcher(string markerPath, IoFaultSwitch faults, TimeProvider time) : BackgroundService
{
    /// <summary>Soon enough that a test's fault lands within a fraction of a second; one stat call per tick costs nothing.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, time);
        try
        {
            do faults.Set(File.Exists(markerPath));
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }
}
