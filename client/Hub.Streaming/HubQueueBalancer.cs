using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Orleans' default queue balancer (the consistent ring: each silo reads the queues whose ring positions fall in
/// its range), plus partitions added at runtime: every <see cref="HubStreamOptions.PartitionCheckInterval"/> it
/// reads the topics' partition counts, grows the <see cref="HubQueueMapper"/>, and tells the pulling manager
/// that the queue distribution changed. The manager then asks for its queues again and starts an agent for each
/// new one in its range, as it does when a silo joins, so no silo restarts. Every silo checks on its own; a queue's
/// ring position depends only on its topic and partition, so they agree on who reads it.
/// <para>
/// Orleans' pulling manager reads the mapper's queues only when a balancer notifies it; a mapper cannot tell it
/// anything itself. Decorating the registered balancer keeps its placement and only adds that notification.
/// </para>
/// </summary>
internal sealed partial class HubQueueBalancer(IStreamQueueBalancer inner, HubAdapterFactory factory, TimeSpan interval, TimeProvider time,
    ILogger<HubQueueBalancer> logger) : IStreamQueueBalancer
{
    private readonly IStreamQueueBalancer _inner = inner;
    private readonly ILogger _logger = logger;
    private readonly List<IStreamQueueBalanceListener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _checks = Task.CompletedTask;

    /// <summary>What <c>ConfigurePartitionBalancing</c> calls for provider <paramref name="name"/>.</summary>
    public static IStreamQueueBalancer Create(IServiceProvider services, string name)
    {
        var factory = (HubAdapterFactory)services.GetRequiredKeyedService<IQueueAdapterFactory>(name);
        // Orleans registers its consistent-ring balancer as the (transient) unkeyed default.
        return new HubQueueBalancer(services.GetRequiredService<IStreamQueueBalancer>(), factory, factory.Options.PartitionCheckInterval,
            services.GetService<TimeProvider>() ?? TimeProvider.System, services.GetRequiredService<ILogger<HubQueueBalancer>>());
    }

    public async Task Initialize(IStreamQueueMapper queueMapper)
    {
        await _inner.Initialize(queueMapper).ConfigureAwait(false);
        _checks = Task.Run(() => CheckPartitionsAsync(_stop.Token));
    }

    public async Task Shutdown()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _checks.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _inner.Shutdown().ConfigureAwait(false);
    }

    public IEnumerable<QueueId> GetMyQueues() => _inner.GetMyQueues();

    public bool SubscribeToQueueDistributionChangeEvents(IStreamQueueBalanceListener observer)
    {
        lock (_listeners)
        {
            if (!_listeners.Contains(observer)) _listeners.Add(observer);
        }
        return _inner.SubscribeToQueueDistributionChangeEvents(observer);
    }

    public bool UnSubscribeFromQueueDistributionChangeEvents(IStreamQueueBalanceListener observer)
    {
        lock (_listeners) _listeners.Remove(observer);
        return _inner.UnSubscribeFromQueueDistributionChangeEvents(observer);
    }

    private async Task CheckPartitionsAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    var added = await factory.RefreshPartitionsAsync(ct).ConfigureAwait(false);
                    if (added.Count == 0) continue;
                    LogPartitionsAdded(string.Join(", ", added.Select(t => $"{t.Key}: {t.Value}")));
                    IStreamQueueBalanceListener[] listeners;
                    lock (_listeners) listeners = [.. _listeners];
                    await Task.WhenAll(listeners.Select(l => l.QueueDistributionChangeNotification())).ConfigureAwait(false);
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Hub unreachable for a moment: the next check tries again; the queues read so far go on.
                    LogCheckFailed(e, interval);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Topics gained partitions ({Counts}); reading the new ones")]
    private partial void LogPartitionsAdded(string counts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the topics' partition counts failed; checking again in {Interval}")]
    private partial void LogCheckFailed(Exception exception, TimeSpan interval);
}
