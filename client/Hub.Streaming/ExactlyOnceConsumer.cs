using System.Text;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Applies a Hub stream's events to a grain's persistent state exactly once. Each event is applied and its
/// offset recorded in the same <see cref="IPersistentState{T}.WriteStateAsync"/>, so whatever crashes when,
/// the stored state and the stored offset agree: an event redelivered after a restart (delivery is at least
/// once) is recognised by its offset and skipped, and on activation the subscription resumes at the last
/// applied offset, read back from Hub if the cache no longer holds it.
/// <code>
/// public sealed class CounterGrain([PersistentState("counter", "store")] IPersistentState&lt;CheckpointedState&lt;Counter&gt;&gt; state)
///     : Grain, ICounterGrain
/// {
///     public override Task OnActivateAsync(CancellationToken ct) =&gt; new ExactlyOnceConsumer&lt;Counter&gt;(state)
///         .SubscribeAsync(this.GetStreamProvider("hub-streams").GetStream&lt;long&gt;(StreamId.Create("numbers", this.GetPrimaryKeyString())),
///             (counter, n) =&gt; counter.Sum += n);
/// }
/// </code>
/// </summary>
public sealed class ExactlyOnceConsumer<TState>(IPersistentState<CheckpointedState<TState>> storage) where TState : new()
{
    public TState State => storage.State.State;

    /// <summary>
    /// Subscribes to <paramref name="stream"/> (or resumes its existing subscriptions, explicit or implicit) where
    /// the state left off, and applies each new event with <paramref name="apply"/>. Call it once per stream from
    /// OnActivateAsync.
    /// </summary>
    public async Task SubscribeAsync<T>(IAsyncStream<T> stream, Action<TState, T> apply)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(apply);
        var streamKey = $"{Encoding.UTF8.GetString(stream.StreamId.Namespace.Span)}/{Encoding.UTF8.GetString(stream.StreamId.Key.Span)}";
        var observer = new Observer<T>(this, streamKey, apply);
        // The last applied event, not the next: Orleans delivers from a resume token when the subscription
        // starts, but treats it as processed when the grain resumes during a delivery. Either way nothing
        // unapplied is skipped, and the event delivered again is recognised.
        var resumeAt = storage.State.LastApplied.TryGetValue(streamKey, out var last) ? HubSequenceToken.AtOffset(last) : null;
        var handles = await stream.GetAllSubscriptionHandles();
        if (handles.Count == 0)
        {
            await stream.SubscribeAsync(observer, resumeAt);
            return;
        }
        foreach (var handle in handles) await handle.ResumeAsync(observer, resumeAt);
    }

    private async Task ApplyAsync<T>(string streamKey, T item, StreamSequenceToken? token, Action<TState, T> apply)
    {
        if (token is not HubSequenceToken position)
            throw new InvalidOperationException($"ExactlyOnceConsumer needs events from a Hub stream provider (with a HubSequenceToken), got token {token?.ToString() ?? "null"}");
        if (storage.State.LastApplied.TryGetValue(streamKey, out var last) && position.Offset <= last) return; // applied before
        apply(storage.State.State, item);
        storage.State.LastApplied[streamKey] = position.Offset;
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

    private sealed class Observer<T>(ExactlyOnceConsumer<TState> consumer, string streamKey, Action<TState, T> apply) : IAsyncObserver<T>
    {
        public Task OnNextAsync(T item, StreamSequenceToken? token = null) => consumer.ApplyAsync(streamKey, item, token, apply);

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
