using System.Diagnostics;
using Hub.Benchmarks.Measure;
using Hub.Client;

namespace Hub.Benchmarks.Load;

/// <summary>
/// Consumer groups reading a filled topic: <c>members</c> consumers in each of <c>groups</c> groups, every group
/// reading every record (so <c>groups</c> x records are delivered). The rate counts from the first record any
/// member received, since the group's first rebalance waits GroupInitialRebalanceDelay for more members.
/// </summary>
public static class GroupLoad
{
    public static async Task<LoadResult> ConsumeAsync(HubClient client, string topic, long records, int groups, int members, int[] siloPids)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var delivered = new long[groups];
        long bytes = 0, firstRecordAt = 0;
        var measurement = Measurement.Start(siloPids);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var consumers = Enumerable.Range(0, groups).SelectMany(group => Enumerable.Range(0, members).Select(_ =>
            client.CreateGroupConsumer(new GroupConsumerOptions
            {
                GroupId = $"bench-{runId}-{group}",
                Topics = [topic],
                AutoOffsetReset = AutoOffsetReset.Earliest,
            }))).ToArray();
        var doneTokens = Enumerable.Range(0, groups).Select(_ => CancellationTokenSource.CreateLinkedTokenSource(timeout.Token)).ToArray();
        try
        {
            await Task.WhenAll(consumers.Select((consumer, i) => Task.Run(async () =>
            {
                var group = i / members;
                var done = doneTokens[group];
                try
                {
                    await foreach (var result in consumer.ConsumeAsync(done.Token))
                    {
                        Interlocked.CompareExchange(ref firstRecordAt, Stopwatch.GetTimestamp(), 0);
                        Interlocked.Add(ref bytes, result.Record.Value?.Length ?? 0);
                        if (Interlocked.Increment(ref delivered[group]) == records) await done.CancelAsync();
                    }
                }
                catch (OperationCanceledException) when (done.IsCancellationRequested)
                {
                    // This group has every record.
                }
            })));
            timeout.Token.ThrowIfCancellationRequested();
            return measurement.Stop(delivered.Sum(), bytes, since: firstRecordAt);
        }
        finally
        {
            foreach (var consumer in consumers) await consumer.DisposeAsync();
            foreach (var done in doneTokens) done.Dispose();
        }
    }
}
