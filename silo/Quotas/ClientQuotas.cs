using System.Collections.Concurrent;
using Hub.Grains;
using Hub.Quotas;
using Hub.Silo.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Quotas;

/// <summary>
/// This silo's enforcement of client quotas (Kafka's ClientQuotaManager): the quotas the controller stores, read
/// again once they are <see cref="MaxAge"/> old (in the background: requests go on with what is known), and one
/// <see cref="WindowedRate"/> per quota key and measured entity. A request's bytes are recorded against the quota
/// that applies (<see cref="ClientQuotaRules.Applying"/>) and the answer is how long the client must wait: the
/// response carries it as throttle_time_ms and the connection reads nothing from the client meanwhile. Each silo
/// measures what reaches it, as each Kafka broker does.
/// </summary>
internal sealed partial class ClientQuotas(IGrainFactory grains, TimeProvider time, IOptions<HubSiloOptions> options, ILogger<ClientQuotas> logger)
{
    private static readonly IReadOnlyDictionary<ClientQuotaEntity, ClientQuota> NoQuotas = new Dictionary<ClientQuotaEntity, ClientQuota>();

    /// <summary>How stale this silo's copy of the quotas may get: a change made through another silo holds here within this.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Rates kept before idle ones are dropped: client ids are the client's choice, and every one under a default
    /// quota is measured on its own; one idle for the whole window measures zero anyway.
    /// </summary>
    private const int MaxRates = 10_000;

    private readonly ConcurrentDictionary<(string Key, ClientQuotaEntity Entity), WindowedRate> _rates = new();
    private readonly Lock _refreshing = new();
    private IReadOnlyDictionary<ClientQuotaEntity, ClientQuota>? _quotas;
    private long _loadedAt;
    private Task? _refresh;

    /// <summary>
    /// Records <paramref name="value"/> against the <paramref name="key"/> quota of the user's client; how long it must now
    /// wait. <paramref name="undoWhenThrottled"/>: a throttled request is answered without its data (a fetch, as in
    /// Kafka), so what it would have carried doesn't count.
    /// </summary>
    /// <param name="waitForQuotas">
    /// Whether a silo that has not read the quotas yet waits for them; without it the value is measured against none
    /// until they are read (the request-time meter, on every request: a silo's first requests don't wait on the controller).
    /// </param>
    public async ValueTask<TimeSpan> RecordAsync(string key, string user, string? clientId, double value, bool undoWhenThrottled = false, bool waitForQuotas = true)
    {
        var quotas = await CurrentAsync(waitForQuotas);
        if (ClientQuotaRules.Applying(quotas, key, user, clientId ?? "") is not var (limit, entity)) return TimeSpan.Zero;
        if (_rates.Count >= MaxRates) DropIdleRates();
        var rate = _rates.GetOrAdd((key, entity), _ => new WindowedRate(time, options.Value.QuotaWindow, options.Value.QuotaWindowSamples));
        lock (rate)
        {
            rate.Record(value);
            var throttle = rate.ThrottleFor(limit);
            if (throttle > TimeSpan.Zero && undoWhenThrottled) rate.Record(-value);
            return throttle;
        }
    }

    /// <summary>Reads the quotas again before the next request is measured: this silo just changed them.</summary>
    public void Invalidate() => _quotas = null;

    private async ValueTask<IReadOnlyDictionary<ClientQuotaEntity, ClientQuota>> CurrentAsync(bool waitForFirst)
    {
        var known = _quotas;
        if (known is not null && time.GetElapsedTime(Volatile.Read(ref _loadedAt)) < MaxAge) return known;
        Task refresh;
        lock (_refreshing) refresh = _refresh ??= RefreshAsync();
        // The first read waits; later ones go on with the copy they have while it refreshes.
        if (known is null && waitForFirst) await refresh;
        return _quotas ?? known ?? NoQuotas;
    }

    /// <summary>
    /// Reads the quotas from the controller; never throws. While the controller can't answer (its store is down),
    /// what was known holds, or none at all: produce and fetch go on unthrottled rather than fail.
    /// </summary>
    private async Task RefreshAsync()
    {
        try
        {
            var quotas = await grains.GetGrain<IClusterControllerGrain>(0).DescribeClientQuotas();
            _quotas = quotas.ToDictionary(q => q.Entity);
        }
        catch (Exception e)
        {
            LogUnread(logger, e.Message);
            _quotas ??= NoQuotas;
        }
        finally
        {
            Volatile.Write(ref _loadedAt, time.GetTimestamp());
            lock (_refreshing) _refresh = null;
        }
    }

    private void DropIdleRates()
    {
        var now = time.GetTimestamp();
        foreach (var (key, rate) in _rates)
        {
            if (time.GetElapsedTime(rate.LastRecorded, now) > rate.Span) _rates.TryRemove(key, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client quotas could not be read from the controller (what was known holds, retried in seconds): {Error}")]
    private static partial void LogUnread(ILogger logger, string error);
}
