using System.Collections.Concurrent;
using Hub.Errors;
using Hub.Grains;
using Hub.Partitions;
using Hub.Topics;

namespace Hub.Client.Metadata;

/// <summary>
/// Finds the grain that leads a topic partition. Topic metadata comes from the cluster controller and is
/// cached; when a partition grain says the metadata was stale (unknown partition, not the leader) the topic
/// is looked up again and the call retried, as a Kafka client refreshes metadata on those errors.
/// </summary>
internal sealed class PartitionRouter(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Kafka's metadata.max.age.ms default: re-read even without errors, so new partitions show up.</summary>
    private static readonly TimeSpan MetadataMaxAge = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a call keeps retrying while the partition has no reachable leader: long enough for a failover
    /// (a dead silo is declared dead in about a second, then the controller elects a new leader).
    /// </summary>
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A call already on its way to a silo that then dies may go unanswered until Orleans' response timeout
    /// (30 s); such a call still earns its retries.
    /// </summary>
    private static readonly TimeSpan ResponseTimeoutAllowance = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan UnknownPartitionRetryFor = TimeSpan.FromSeconds(1.5);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, CachedTopic> _topics = new();

    public IClusterControllerGrain Controller => grains.GetGrain<IClusterControllerGrain>(0);

    /// <summary>The topic's metadata, from the cache when fresh; throws UnknownTopicOrPartition when there is no such topic.</summary>
    public ValueTask<TopicMetadata> GetTopicAsync(string topic, CancellationToken ct = default)
    {
        if (_topics.TryGetValue(topic, out var cached) && cached.Load.IsCompletedSuccessfully
            && time.GetElapsedTime(cached.LoadedAt) < MetadataMaxAge)
            return new ValueTask<TopicMetadata>(cached.Load.Result);
        return LoadAsync(topic, cached, ct);
    }

    /// <summary>The cached metadata if any, without a lookup.</summary>
    public TopicMetadata? TryGetCached(string topic) =>
        _topics.TryGetValue(topic, out var cached) && cached.Load.IsCompletedSuccessfully ? cached.Load.Result : null;

    /// <summary>Caches metadata the controller just returned (after a create or an added partition).</summary>
    public void Remember(TopicMetadata metadata) =>
        _topics[metadata.Name] = new CachedTopic(Task.FromResult(metadata), time.GetTimestamp());

    public void Forget(string topic) => _topics.TryRemove(topic, out _);

    /// <summary>
    /// Calls the partition's leader, refreshing the metadata and retrying while the grain says it was stale or
    /// had too few replicas in sync, or its silo is gone (a failover under way), for up to <see cref="RetryBudget"/>.
    /// A retried append may be stored twice if the first attempt was written but its answer lost or refused
    /// (NOT_ENOUGH_REPLICAS_AFTER_APPEND), as with a non-idempotent Kafka producer.
    /// </summary>
    public async Task<T> InvokeAsync<T>(string topic, int partition, Func<IPartitionGrain, Task<T>> call, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var backoff = new Backoff(time);
        while (true)
        {
            var metadata = await GetTopicAsync(topic, ct).ConfigureAwait(false);
            try
            {
                return await call(LeaderOf(metadata, partition)).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (time.GetElapsedTime(started) < RetryBudget(e))
            {
                Forget(topic);
            }
            await backoff.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Calls the cluster controller, retrying for up to <see cref="RetryFor"/> while a message to it is refused
    /// for want of its silo: when that silo dies the controller comes back on another one, with its durable state.
    /// </summary>
    public async Task<T> OnControllerAsync<T>(Func<IClusterControllerGrain, Task<T>> call, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var backoff = new Backoff(time);
        while (true)
        {
            try
            {
                return await call(Controller).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IsSiloLost(e) && time.GetElapsedTime(started) < RetryFor + ResponseTimeoutAllowance)
            {
            }
            await backoff.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How long to keep retrying after this failure: a stale-metadata refusal, too few replicas in sync before
    /// or after the append was written (a follower's silo died and the ISR is shrinking; both retriable in
    /// Kafka's producer too), or the leader's silo failing under the call (dying or dead).
    /// </summary>
    private static TimeSpan RetryBudget(Exception e) => e switch
    {
        // Most likely a real mistake (no such topic or partition); a brief retry covers a topic just created.
        HubException { Code: ErrorCode.UnknownTopicOrPartition } => UnknownPartitionRetryFor,
        HubException hub => StaleMetadata.IsSignalledBy(hub.Code) || TooFewInSync(hub.Code) ? RetryFor : TimeSpan.Zero,
        _ => IsSiloLost(e) ? RetryFor + ResponseTimeoutAllowance : TimeSpan.Zero,
    };

    private static bool TooFewInSync(ErrorCode code) => code is ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend;

    /// <summary>The call's target silo failed or vanished under it (refused, or never answered: Orleans' TimeoutException).</summary>
    private static bool IsSiloLost(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;

    private IPartitionGrain LeaderOf(TopicMetadata metadata, int partition) =>
        grains.GetGrain<IPartitionGrain>(metadata.LeaderKey(partition));

    private async ValueTask<TopicMetadata> LoadAsync(string topic, CachedTopic? seen, CancellationToken ct)
    {
        // Join a lookup already under way; otherwise start one (two racing callers may both start one: harmless).
        var entry = seen is { Load.IsCompleted: false } ? seen : StartLoad(topic, seen);
        try
        {
            return await entry.Load.WaitAsync(ct).ConfigureAwait(false);
        }
        catch when (entry.Load.IsFaulted)
        {
            // Failures aren't cached: the topic may exist by the next call.
            _topics.TryRemove(KeyValuePair.Create(topic, entry));
            throw;
        }
    }

    private CachedTopic StartLoad(string topic, CachedTopic? seen)
    {
        var fresh = new CachedTopic(FetchAsync(topic), time.GetTimestamp());
        var stored = seen is null ? _topics.TryAdd(topic, fresh) : _topics.TryUpdate(topic, fresh, seen);
        return stored || !_topics.TryGetValue(topic, out var other) ? fresh : other;
    }

    private async Task<TopicMetadata> FetchAsync(string topic) =>
        await OnControllerAsync(controller => controller.GetTopic(topic), CancellationToken.None).ConfigureAwait(false)
        ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{topic}' does not exist");

    /// <summary>The pause before each retry: doubling from <see cref="FirstRetryDelay"/> up to <see cref="MaxRetryDelay"/>.</summary>
    private sealed class Backoff(TimeProvider time)
    {
        private TimeSpan _next = FirstRetryDelay;

        public Task WaitAsync(CancellationToken ct)
        {
            var delay = _next;
            _next = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            return Task.Delay(delay, time, ct);
        }
    }

    private sealed record CachedTopic(Task<TopicMetadata> Load, long LoadedAt);
}
