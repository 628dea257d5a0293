using Hub.Silo.InterBroker;
using Hub.Silo.Configuration;
using Hub.Grains;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Groups;

/// <summary>
/// Every <see cref="HubSiloOptions.OffsetsRetentionCheckInterval"/>, asks the group directory to expire old
/// offsets (Kafka's offsets.retention.check.interval.ms). Runs on every silo; a sweep is idempotent, so more
/// than one per interval only costs a few calls. Grain timers would stop with their grain's deactivation;
/// a hosted service keeps the sweep going while any silo is up.
/// </summary>
internal sealed partial class GroupOffsetsExpiry(
    IGrainFactory grains,
    IOptions<HubSiloOptions> options,
    TimeProvider time,
    ILogger<GroupOffsetsExpiry> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OffsetsRetentionCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await grains.GetGrain<IInterBrokerGroupDirectoryGrain>(0).ExpireOffsets().WaitAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(e, options.Value.OffsetsRetentionCheckInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offsets expiry sweep failed; trying again in {Interval}")]
    private partial void LogSweepFailed(Exception exception, TimeSpan interval);
}
