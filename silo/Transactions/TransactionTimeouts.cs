using Hub.Silo.Configuration;
using Hub.Silo.Hosting;
using Hub.Silo.InterBroker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Transactions;

/// <summary>
/// Every <see cref="HubSiloOptions.TransactionTimeoutCheckInterval"/> (Kafka's
/// transaction.abort.timed.out.transaction.cleanup.interval.ms), has the open transactions checked: timed-out ones are
/// aborted, prepared ones whose coordinator died get their markers written.
/// </summary>
internal sealed class TransactionTimeouts(IGrainFactory grains, IOptions<HubSiloOptions> options, TimeProvider time, ILogger<TransactionTimeouts> logger)
    : PeriodicSweep(options.Value.TransactionTimeoutCheckInterval, time, logger, "transaction timeout")
{
    protected override Task SweepAsync(CancellationToken stoppingToken) =>
        grains.GetGrain<ITransactionDirectoryGrain>(0).Sweep().WaitAsync(stoppingToken);
}
