using System.Text;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Applies a Hub stream's events to a grain's persistent state exactly once. Each event is applied and its
/// offset recorded in the same <see cref="IPersistentState{T}.WriteStateAsync"/>, so whatever crashes when,
/// the stored state and the stored offset agree: an event redelivered after a restart (delivery is at least
/// once) is recognised by its offset and skipped, and on activation the subscription resumes at the first
/// offset not applied, read back from Hub if the cache no longer holds it.
/// <code>
/// public sealed class CounterGrain([PersistentState("counter", "store")] IPersistentState&lt;CheckpointedState&lt;Counter&gt;&gt; state)
///     : Grain, ICounterGrain
/// {
///     public override Task OnActivateAsync(CancellationToken ct) =&gt; new ExactlyOnceConsumer&lt;Counter&gt;(state)
///         .SubscribeAsync(this.GetStreamProvider("hub").GetStream&lt;long&gt;("numbers", this.GetPrimaryKeyString()), (c, n) =&gt; c.Sum += n);
/// }
/// </code>
/// </summary>
public sealed class ExactlyOnceConsumer<TState>(IPersistentState<CheckpointedState<TState>> storage) where TState : new()
{
    public TState State => storage.State.State;

    /// <summary>
    /// Subscribes to <paramref name="stream"/> (or resumes its existing subscriptions, explicit or implicit) from
    /// the first offset not yet applied, and applies each new event with <paramref name="apply"/>.
    /// </summary>
    public async Task SubscribeAsync<T>(IAsyncStream<T> stream, Action<TState, T> apply)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(apply);
        var topic = Encoding.UTF8.GetString(stream.StreamId.Namespace.Span);
        var observer = new Observer<T>(this, topic, apply);
        var resumeAt = ResumeToken(topic);
        var handles = await stream.GetAllSubscriptionHandles();
        if (handles.Count == 0)
        {
            await stream.SubscribeAsync(observer, resumeAt);
            return;
        }
        foreach (var handle in handles) await handle.ResumeAsync(observer, resumeAt);
    }

    /// <summary>Where to resume: the earliest next offset recorded for the topic (a stream lives in one partition).</summary>
    private HubSequenceToken? ResumeToken(string topic)
    {
        var prefix = topic + "/";
        long? earliest = null;
        foreach (var (key, next) in storage.State.NextOffsets)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) earliest = Math.Min(earliest ?? long.MaxValue, next);
        }
        return earliest is { } offset ? HubSequenceToken.AtOffset(offset) : null;
    }

    private async Task ApplyAsync<T>(string topic, T item, StreamSequenceToken? token, Action<TState, T> apply)
    {
        if (token is not HubSequenceToken position || position.Partition == HubSequenceToken.AnyPartition)
            throw new InvalidOperationException($"ExactlyOnceConsumer needs events from a Hub stream provider (with a HubSequenceToken), got token {token?.ToString() ?? "null"}");
        var key = $"{topic}/{position.Partition}";
        if (storage.State.NextOffsets.TryGetValue(key, out var next) && position.Offset < next) return; // applied before
        apply(storage.State.State, item);
        storage.State.NextOffsets[key] = position.Offset + 1;
        try
        {
            await storage.WriteStateAsync();
        }
        catch
        {
            // Drop the change that was not stored, so a redelivery applies it again rather than never.
            await storage.ReadStateAsync();
            throw;
        }
    }

    private sealed class Observer<T>(ExactlyOnceConsumer<TState> consumer, string topic, Action<TState, T> apply) : IAsyncObserver<T>
    {
        public Task OnNextAsync(T item, StreamSequenceToken? token = null) => consumer.ApplyAsync(topic, item, token, apply);

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
