using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// Applies a Hub stream's events to a grain's persistent state exactly once. Each event is applied and its
/// offset recorded in the same <see cref="IPersistentState{T}.WriteStateAsync"/>, so whatever crashes when,
/// the stored state and the stored offset agree: an event redelivered after a restart (delivery is at least
/// once) is recognised by its offset and skipped, and on activation the subscription resumes at the last
/// applied offset, read back from Hub if the cache no longer holds it. Offsets are kept per partition: when the
/// topic gains partitions the stream's key maps to another one, and its events from there (offsets of that
/// partition, starting low) are applied, as are the old partition's remaining ones, each once.
/// <para>
/// With the silo's <paramref name="services"/> it asks the Hub stream provider which partition a stream's key
/// maps to now: the resume token names that partition, and a position stored by an earlier version (one offset
/// per stream, no partition) is taken to be that partition's. Without them such a position counts for every
/// partition that has none of its own, as it did before, which is right only until the topic gains partitions.
/// </para>
/// <code>
/// public sealed class CounterGrain([PersistentState("counter", "store")] IPersistentState&lt;CheckpointedState&lt;Counter&gt;&gt; state,
///     IServiceProvider services) : Grain, ICounterGrain
/// {
///     public override Task OnActivateAsync(CancellationToken ct) =&gt; new ExactlyOnceConsumer&lt;Counter&gt;(state, services)
///         .SubscribeAsync(this.GetStreamProvider("hub-streams").GetStream&lt;long&gt;(StreamId.Create("numbers", this.GetPrimaryKeyString())),
///             (counter, n) =&gt; counter.Sum += n);
/// }
/// </code>
/// </summary>
public sealed class ExactlyOnceConsumer<TState>(IPersistentState<CheckpointedState<TState>> storage, IServiceProvider? services = null)
    where TState : new()
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
        var currentPartition = CurrentPartitionOf(stream);
        var applied = AppliedPositions(streamKey, currentPartition);
        var observer = new Observer<T>(this, streamKey, currentPartition, apply);
        // The last applied event, not the next: Orleans delivers from a resume token when the subscription
        // starts, but treats it as processed when the grain resumes during a delivery. Either way nothing
        // unapplied is skipped, and the event delivered again is recognised. The token names the partition the
        // stream's key maps to now; the other partitions' readers deliver from where they are.
        var resumeAt = ResumeToken(applied, currentPartition);
        var handles = await stream.GetAllSubscriptionHandles();
        if (handles.Count == 0)
        {
            await stream.SubscribeAsync(observer, resumeAt);
            return;
        }
        foreach (var handle in handles) await handle.ResumeAsync(observer, resumeAt);
    }

    /// <summary>
    /// The stream's positions by partition, with a position stored before they were kept per partition moved in:
    /// it belongs to the partition the key maps to now (right unless the topic gained partitions since it was
    /// written), or, where the provider can't say, to any partition without a position of its own, as it did.
    /// </summary>
    private Dictionary<int, long> AppliedPositions(string streamKey, int? currentPartition)
    {
        var state = storage.State;
        if (!state.Applied.TryGetValue(streamKey, out var applied)) state.Applied[streamKey] = applied = [];
        if (state.LastApplied.Remove(streamKey, out var legacy)) applied.TryAdd(currentPartition ?? HubSequenceToken.AnyPartition, legacy);
        return applied;
    }

    private static HubSequenceToken? ResumeToken(Dictionary<int, long> applied, int? currentPartition)
    {
        if (currentPartition is { } partition && applied.TryGetValue(partition, out var offset)) return new HubSequenceToken(partition, offset);
        if (applied.Count == 0) return null;
        var (anyPartition, anyOffset) = applied.MaxBy(p => p.Key);
        return anyPartition == HubSequenceToken.AnyPartition ? HubSequenceToken.AtOffset(anyOffset) : new HubSequenceToken(anyPartition, anyOffset);
    }

    /// <summary>The partition the stream's key maps to now, from the silo's Hub stream provider; null if unknown.</summary>
    private int? CurrentPartitionOf<T>(IAsyncStream<T> stream) =>
        services?.GetKeyedService<IQueueAdapterFactory>(stream.ProviderName) is HubAdapterFactory factory
            ? factory.CurrentPartitionOf(stream.StreamId)
            : null;

    private async Task ApplyAsync<T>(string streamKey, int? currentPartition, T item, StreamSequenceToken? token, Action<TState, T> apply)
    {
        if (token is not HubSequenceToken position)
            throw new InvalidOperationException($"ExactlyOnceConsumer needs events from a Hub stream provider (with a HubSequenceToken), got token {token?.ToString() ?? "null"}");
        // Looked up on each event: a failed write reloads the stored state, maybe still of the earlier shape.
        var applied = AppliedPositions(streamKey, currentPartition);
        if (applied.TryGetValue(position.Partition, out var last) || applied.TryGetValue(HubSequenceToken.AnyPartition, out last))
        {
            if (position.Offset <= last) return; // applied before
        }
        apply(storage.State.State, item);
        applied[position.Partition] = position.Offset;
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

    private sealed class Observer<T>(ExactlyOnceConsumer<TState> consumer, string streamKey, int? currentPartition, Action<TState, T> apply) : IAsyncObserver<T>
    {
        public Task OnNextAsync(T item, StreamSequenceToken? token = null) => consumer.ApplyAsync(streamKey, currentPartition, item, token, apply);

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
