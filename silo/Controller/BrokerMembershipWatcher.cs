using Hub.Silo.InterBroker;
using Hub.Silo.Configuration;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Placement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Controller;

/// <summary>
/// Tells the cluster controller whenever the set of live brokers changes, so it can move leadership off dead
/// brokers and wake the replicas of returning ones. Runs on every silo (whichever notices first triggers the
/// election; repeats are harmless), and also polls, because a new silo's broker id arrives in the silo
/// metadata cache a little after its membership change. A failed call (the controller could not store its
/// decision: its metadata store is down or slow) is repeated until it succeeds, backing off from
/// <see cref="PollInterval"/> to <see cref="MaxRetryDelay"/>, so the change is decided once the store is back.
/// After its first report it wakes this broker's follower replicas, so a restarted broker starts catching up
/// at once rather than when a leader next looks for it.
/// </summary>
internal sealed partial class BrokerMembershipWatcher(
    IClusterMembershipService membership,
    BrokerDirectory brokers,
    IGrainFactory grains,
    IOptions<HubSiloOptions> options,
    TimeProvider time,
    ILogger<BrokerMembershipWatcher> logger) : BackgroundService
{
    /// <summary>How soon a broker id that arrived after its silo's membership change is reported.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest pause between failed reports: every silo reports, so a controller that cannot store is not hammered,
    /// yet hears of the change within this of its store's return.
    /// </summary>
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<int> reported = [];
        var retryDelay = TimeSpan.Zero;
        var retryAt = DateTimeOffset.MinValue;
        var updates = membership.MembershipUpdates.GetAsyncEnumerator(stoppingToken);
        var nextUpdate = updates.MoveNextAsync().AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            var live = brokers.LiveBrokers();
            if (live.Count > 0 && !live.SequenceEqual(reported) && time.GetUtcNow() >= retryAt)
            {
                try
                {
                    await grains.GetGrain<IInterBrokerControllerGrain>(0).BrokersChanged().WaitAsync(stoppingToken);
                    LogLiveBrokers(logger, string.Join(",", live),
                        string.Join(", ", membership.CurrentSnapshot.Members.Values.Select(m => $"{m.SiloAddress} {m.Status}")));
                    if (reported.Count == 0) await WakeLocalFollowersAsync();
                    reported = live;
                    retryDelay = TimeSpan.Zero;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    retryDelay = retryDelay == TimeSpan.Zero ? PollInterval : TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                    retryAt = time.GetUtcNow() + retryDelay;
                    LogReportFailed(logger, string.Join(",", live), retryDelay.TotalSeconds, e.Message);
                }
            }
            try
            {
                if (await Task.WhenAny(nextUpdate, Task.Delay(PollInterval, time, stoppingToken)) == nextUpdate)
                    nextUpdate = await nextUpdate ? updates.MoveNextAsync().AsTask() : Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await updates.DisposeAsync();
    }

    private async Task WakeLocalFollowersAsync()
    {
        var broker = options.Value.BrokerId;
        foreach (var topic in await grains.GetGrain<IInterBrokerControllerGrain>(0).ListTopics())
        {
            foreach (var assignment in topic.Partitions.Where(p => p.Replicas.Length > 1 && p.Leader != broker && p.Replicas.Contains(broker)))
                grains.GetGrain<IInterBrokerPartitionGrain>(PartitionKey.Format(topic.Name, assignment.Partition, broker)).ApplyAssignment(assignment).Ignore();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live brokers now {Brokers}; members {Members}")]
    private static partial void LogLiveBrokers(ILogger logger, string brokers, string members);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report the live brokers {Brokers} to the controller (retrying in {Seconds} s): {Error}")]
    private static partial void LogReportFailed(ILogger logger, string brokers, double seconds, string error);
}
