using Hub.Batches;
using Hub.Client;
using Hub.Partitions;

namespace Hub.Cli.Consuming;

/// <summary>
/// The reading loop shared by <c>hub consume</c> and <c>hub perf consume</c>: assigns the partitions, then
/// hands records to a callback until it says stop, until every partition reached the end it had at the start
/// (when asked to stop there), or until Ctrl-C, which ends the loop normally.
/// </summary>
public static class ConsumeLoop
{
    /// <summary>While no record arrives, how often the consumer's positions are checked against the ends.</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(100);

    /// <param name="start">An offset, or <see cref="OffsetSpec.Earliest"/> / <see cref="OffsetSpec.Latest"/>.</param>
    /// <returns>Stops at the ends when given; null when the caller follows the topic.</returns>
    public static async Task<CatchUpTracker?> AssignAsync(HubConsumer consumer, TopicDescription topic, IEnumerable<int> partitions,
        long start, bool stopAtEnd, CancellationToken ct)
    {
        var name = topic.Metadata.Name;
        var tracker = new CatchUpTracker();
        foreach (var partition in partitions)
        {
            await consumer.AssignAsync(name, partition, start, ct);
            tracker.Add(partition, consumer.Position(name, partition), topic.Partitions[partition].HighWatermark);
        }
        return stopAtEnd ? tracker : null;
    }

    /// <param name="onRecord">Returns false to stop.</param>
    /// <param name="onIdle">Runs each time the loop is about to wait for records (to flush output).</param>
    public static Task RunAsync(HubConsumer consumer, string topic, CatchUpTracker? stopAtEnd,
        Func<ConsumeResult, bool> onRecord, Func<Task> onIdle, CancellationToken ct) =>
        RunAsync(consumer.ConsumeAsync, partition => consumer.Position(topic, partition), stopAtEnd, result =>
        {
            if (stopAtEnd is not null && !stopAtEnd.IsBeforeEnd(result.Partition, result.Record.Offset))
                return true; // appended after the start
            if (!onRecord(result)) return false;
            stopAtEnd?.Advance(result.Partition, result.Record.Offset + 1);
            return true;
        }, onIdle, ct);

    /// <summary>
    /// <see cref="RunAsync(HubConsumer, string, CatchUpTracker?, Func{ConsumeResult, bool}, Func{Task}, CancellationToken)"/>
    /// a fetched batch at a time (<see cref="HubConsumer.ConsumeBatchesAsync"/>), for throughput: the stop-at-end
    /// bookkeeping is done per batch, and <paramref name="onRecord"/> gets only records that were there at the start.
    /// </summary>
    /// <param name="onRecord">Gets the partition and the record; returns false to stop.</param>
    public static Task RunBatchesAsync(HubConsumer consumer, string topic, CatchUpTracker? stopAtEnd,
        Func<int, Record, bool> onRecord, CancellationToken ct) =>
        RunAsync(consumer.ConsumeBatchesAsync, partition => consumer.Position(topic, partition), stopAtEnd, batch =>
        {
            var end = stopAtEnd?.EndOf(batch.Partition) ?? long.MaxValue;
            foreach (var record in batch)
            {
                if (record.Offset >= end) break; // appended after the start
                if (!onRecord(batch.Partition, record)) return false;
            }
            stopAtEnd?.Advance(batch.Partition, Math.Min(batch.LastOffset + 1, end));
            return true;
        }, () => Task.CompletedTask, ct);

    /// <summary>The loop behind both, over any enumeration of a consumer's items and its positions.</summary>
    /// <param name="positionOf">The consumer's position in a partition.</param>
    /// <param name="onItem">Returns false to stop; advances <paramref name="stopAtEnd"/> itself.</param>
    public static async Task RunAsync<T>(Func<CancellationToken, IAsyncEnumerable<T>> consume, Func<int, long> positionOf,
        CatchUpTracker? stopAtEnd, Func<T, bool> onItem, Func<Task> onIdle, CancellationToken ct)
    {
        if (stopAtEnd is { AllCaughtUp: true }) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var items = consume(stop.Token).GetAsyncEnumerator(stop.Token);
        Task<bool>? pending = null;
        try
        {
            while (true)
            {
                var next = items.MoveNextAsync();
                bool more;
                if (next.IsCompleted)
                {
                    more = next.GetAwaiter().GetResult();
                }
                else
                {
                    pending = next.AsTask();
                    await onIdle();
                    if (stopAtEnd is not null && await ReachedEndWhileWaitingAsync(pending, positionOf, stopAtEnd))
                    {
                        // The consumer moves its position just before handing an item out, so the item that moved
                        // it to the end may still be on its way: it is taken before stopping, not dropped.
                        var last = pending;
                        pending = null;
                        await stop.CancelAsync();
                        await ((Task)last).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        if (last.IsCompletedSuccessfully && last.Result) onItem(items.Current);
                        return;
                    }
                    more = await pending;
                    pending = null;
                }
                if (!more || !onItem(items.Current)) return;
                if (stopAtEnd is { AllCaughtUp: true }) return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C ends consuming normally.
        }
        finally
        {
            // An async iterator must not be disposed while a MoveNextAsync is running: cancel it and let it end.
            if (pending is not null)
            {
                await stop.CancelAsync();
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await items.DisposeAsync();
        }
    }

    /// <summary>Waits for the next record, checking meanwhile whether the consumer's positions reached the ends.</summary>
    private static async Task<bool> ReachedEndWhileWaitingAsync(Task<bool> next, Func<int, long> positionOf, CatchUpTracker tracker)
    {
        while (await Task.WhenAny(next, Task.Delay(RecheckInterval)) != next)
        {
            tracker.Refresh(positionOf);
            if (tracker.AllCaughtUp) return true;
        }
        return false;
    }
}
