using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Hosting;

/// <summary>
/// A cluster-wide sweep run every <paramref name="interval"/> on every silo: sweeps are idempotent, so more than one per
/// interval only costs a few calls, and a hosted service keeps it going while any silo is up (a grain timer would stop
/// with its grain's deactivation). A failed sweep is logged and tried again at the next tick.
/// </summary>
internal abstract partial class PeriodicSweep(TimeSpan interval, TimeProvider time, ILogger logger, string what) : BackgroundService
{
    protected abstract Task SweepAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(logger, e, what, interval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {What} sweep failed; trying again in {Interval}")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, string what, TimeSpan interval);
}
