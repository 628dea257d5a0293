using Hub.Faults.History;

namespace Hub.Faults.Workloads;

/// <summary>
/// A producer workload: through one client (<see cref="IRecordSender"/>), every partition gets a record every
/// <see cref="Pace"/> while fewer than <see cref="MaxOutstandingPerPartition"/> of its records are unanswered.
/// Each record's value is a <see cref="RecordValue"/>; its send, acknowledgement (with offset) or failure goes
/// into the history. Errors don't stop it: a failed record is recorded and the next one is sent.
/// </summary>
public sealed class ProducerWorkload(string name, Func<ClusterEndpoints, CancellationToken, Task<IRecordSender>> connect) : IWorkload
{
    /// <summary>
    /// One record per partition this often: 20 records/s per partition and workload keep a multi-hour soak's
    /// history in memory, and a partition's acknowledgements from three workloads still come every ~20 ms, so a
    /// gap between them measures unavailability finely enough.
    /// </summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Unanswered records per partition: enough for the clients to pipeline several requests, few enough that a
    /// partition that stops answering stops this workload's sends to it instead of queueing minutes of them.
    /// </summary>
    private const int MaxOutstandingPerPartition = 20;

    /// <summary>
    /// A record unanswered this long frees its slot, so a client that never answers cannot stop the partition's
    /// stream; a later answer is still recorded. Above the clients' own delivery timeouts.
    /// </summary>
    private static readonly TimeSpan AnswerBackstop = TimeSpan.FromSeconds(90);

    /// <summary>How long, once stopped, unanswered records may still be answered before the client is closed.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromSeconds(1);

    public string Name => name;

    public async Task RunAsync(ClusterEndpoints cluster, RunHistory history, CancellationToken stop)
    {
        var sender = await ConnectAsync(cluster, stop);
        if (sender is null) return;
        await using (sender)
        {
            await Task.WhenAll(Enumerable.Range(0, cluster.Partitions).Select(p => WritePartitionAsync(sender, p, history, stop)));
        }
    }

    private async Task<IRecordSender?> ConnectAsync(ClusterEndpoints cluster, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                return await connect(cluster, stop);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // The cluster may be in the middle of a fault; a workload that cannot connect yet tries again.
                await Task.Delay(ConnectRetryDelay, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return null;
    }

    private async Task WritePartitionAsync(IRecordSender sender, int partition, RunHistory history, CancellationToken stop)
    {
        // Not disposed: a record answered after the drain timeout still releases its slot.
        var slots = new SemaphoreSlim(MaxOutstandingPerPartition);
        var answers = new List<Task>();
        using var ticks = new PeriodicTimer(Pace);
        for (long sequence = 0; ; sequence++)
        {
            try
            {
                await ticks.WaitForNextTickAsync(stop);
                await slots.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var value = new RecordValue(name, partition, sequence).ToString();
            history.Add(new ProduceSent(history.Now, name, partition, value));
            answers.RemoveAll(a => a.IsCompleted);
            answers.Add(AwaitAnswerAsync(sender, partition, value, history, slots));
        }
        await Task.WhenAll(answers).WaitAsync(DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task AwaitAnswerAsync(IRecordSender sender, int partition, string value, RunHistory history, SemaphoreSlim slots)
    {
        Task<long> send;
        try
        {
            send = sender.SendAsync(partition, value);
        }
        catch (Exception e)
        {
            send = Task.FromException<long>(e);
        }
        var recorded = RecordAnswerAsync(send, partition, value, history);
        await recorded.WaitAsync(AnswerBackstop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        slots.Release();
        await recorded;
    }

    private async Task RecordAnswerAsync(Task<long> send, int partition, string value, RunHistory history)
    {
        try
        {
            var offset = await send;
            history.Add(new ProduceAcked(history.Now, name, partition, value, offset));
        }
        catch (Exception e)
        {
            history.Add(new ProduceFailed(history.Now, name, partition, value, $"{e.GetType().Name}: {e.Message}"));
        }
    }
}
