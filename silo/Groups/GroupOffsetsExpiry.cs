using Hub.Silo.Configuration;
using Hub.Silo.Hosting;
using Hub.Silo.InterBroker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Groups;

/// <summary>
/// Every <see cref="HubSiloOptions.OffsetsRetentionCheckInterval"/>, asks the group directory to expire old
/// offsets (Kafka's offsets.retention.check.interval.ms).
/// </summary>
internal sealed class GroupOffsetsExpiry(IGrainFactory grains, IOptions<HubSiloOptions> options, TimeProvider time, ILogger<GroupOffsetsExpiry> logger)
    : PeriodicSweep(options.Value.OffsetsRetentionCheckInterval, time, logger, "offsets expiry")
{
    protected override Task SweepAsync(CancellationToken stoppingToken) =>
        grains.GetGrain<IInterBrokerGroupDirectoryGrain>(0).ExpireOffsets().WaitAsync(stoppingToken);
}
