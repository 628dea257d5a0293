using Hub.Silo.Configuration;
using Hub.Silo.InterBroker;
using Hub.Silo.Log;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Partitions;

/// <summary>
/// Tells the controller once this silo's <see cref="LogDirectory"/> goes offline, so it moves leadership off this
/// broker and drops it from every ISR (Kafka's broker reports its offline directories the same way). Retried until
/// the controller has it: a lost notice would leave partitions led by a broker that can no longer write.
/// </summary>
internal sealed partial class LogDirectoryFailureReporter(
    LogDirectory directory,
    IGrainFactory grains,
    IOptions<HubSiloOptions> options,
    TimeProvider time,
    ILogger<LogDirectoryFailureReporter> logger) : BackgroundService
{
    /// <summary>Pause between attempts: the controller's silo may be failing over itself; this is short next to that.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await directory.Offline.WaitAsync(stoppingToken);
        var broker = options.Value.BrokerId;
        while (true)
        {
            try
            {
                await grains.GetGrain<IInterBrokerControllerGrain>(0).LogDirectoryFailed(broker);
                LogReported(broker);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogReportFailed(broker, e.Message);
                await Task.Delay(RetryInterval, time, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Told the controller that broker {Broker}'s log directory failed")]
    private partial void LogReported(int broker);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the controller that broker {Broker}'s log directory failed, retrying: {Error}")]
    private partial void LogReportFailed(int broker, string error);
}
