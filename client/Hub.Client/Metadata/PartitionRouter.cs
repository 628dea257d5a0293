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
    /// had too few replicas in sync, or its silo is gone (a failover under way), for up to <see cref="RetryPolicy.RetryBudget"/>.
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
            catch (Exception e) when (time.GetElapsedTime(started) < RetryPolicy.RetryBudget(e))
            {
                Forget(topic);
            }
            await backoff.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One call to the partition's leader, for a caller that retries by itself (the producer, which keeps a
    /// partition's batches in order): when the failure is worth a retry the topic is forgotten, so the next try
    /// looks its leader up afresh.
    /// </summary>
    public async Task<T> InvokeOnceAsync<T>(string topic, int partition, Func<IPartitionGrain, Task<T>> call)
    {
        var metadata = await GetTopicAsync(topic).ConfigureAwait(false);
        try
        {
            return await call(LeaderOf(metadata, partition)).ConfigureAwait(false);
        }
        catch (Exception e) when (RetryPolicy.RetryBudget(e) > TimeSpan.Zero)
        {
            Forget(topic);
            throw;
        }
    }

    /// <summary>
    /// Calls the cluster controller, retrying for up to <see cref="RetryPolicy.RetryFor"/> while a message to it is refused
    /// for want of its silo: when that silo dies the controller comes back on another one, with its durable state.
    /// </summary>
    public Task<T> OnControllerAsync<T>(Func<IClusterControllerGrain, Task<T>> call, CancellationToken ct) =>
        RetryWhileAsync(RetryPolicy.IsSiloLost, () => call(Controller), ct);

    /// <summary>
    /// A fresh producer id for an idempotent producer, from the allocation Kafka's InitProducerId uses; retried
    /// while its grain's silo is lost or it is reloading its reserved block (COORDINATOR_LOAD_IN_PROGRESS).
    /// </summary>
    public Task<long> AllocateProducerIdAsync() =>
        RetryWhileAsync(
            e => RetryPolicy.IsSiloLost(e) || e is HubException { Code: ErrorCode.CoordinatorLoadInProgress },
            () => grains.GetGrain<IProducerIdGrain>(0).Allocate(), CancellationToken.None);

    /// <summary>
    /// Calls a transactional id's coordinator, retrying while it is unavailable or busy ending the id's previous
    /// transaction (CONCURRENT_TRANSACTIONS), or its silo is lost: it comes back elsewhere with its durable state.
    /// </summary>
    public Task OnTransactionCoordinatorAsync(string transactionalId, Func<ITransactionCoordinatorGrain, Task> call, CancellationToken ct) =>
        OnTransactionCoordinatorAsync(transactionalId, async coordinator =>
        {
            await call(coordinator).ConfigureAwait(false);
            return true;
        }, ct);

    /// <inheritdoc cref="OnTransactionCoordinatorAsync(string, Func{ITransactionCoordinatorGrain, Task}, CancellationToken)"/>
    public Task<T> OnTransactionCoordinatorAsync<T>(string transactionalId, Func<ITransactionCoordinatorGrain, Task<T>> call, CancellationToken ct) =>
        RetryWhileAsync(RetryPolicy.IsCoordinatorBusy, () => call(grains.GetGrain<ITransactionCoordinatorGrain>(transactionalId)), ct);

    /// <summary>
    /// Retries <paramref name="call"/> (to a grain that lives anywhere and comes back elsewhere with its durable
    /// state) while it fails <paramref name="transiently"/>, for up to <see cref="RetryPolicy.RetryFor"/> plus a response timeout.
    /// </summary>
    private async Task<T> RetryWhileAsync<T>(Func<Exception, bool> transiently, Func<Task<T>> call, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var backoff = new Backoff(time);
        while (true)
        {
            try
            {
                return await call().WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (transiently(e) && time.GetElapsedTime(started) < RetryPolicy.RetryFor + RetryPolicy.ResponseTimeoutAllowance)
            {
            }
            await backoff.WaitAsync(ct).ConfigureAwait(false);
        }
    }

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

    /// <summary>The pause before each retry, per <see cref="RetryPolicy.DelayBefore"/>.</summary>
    private sealed class Backoff(TimeProvider time)
    {
        private int _retries;

        public Task WaitAsync(CancellationToken ct) => Task.Delay(RetryPolicy.DelayBefore(++_retries), time, ct);
    }

    private sealed record CachedTopic(Task<TopicMetadata> Load, long LoadedAt);
}
