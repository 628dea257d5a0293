using Confluent.Kafka;
using Hub.Faults.Checking;

namespace Hub.Faults.Workloads;

/// <summary>
/// Reads every partition from its log start with Confluent.Kafka, after the workloads stopped and the cluster healed:
/// what the checker compares the history with. <see cref="ReadAsync"/> reads every record to the high watermark;
/// <see cref="ReadCommittedAsync"/> reads the transactional topic as a read_committed consumer does.
/// </summary>
public static class ReadBack
{
    /// <summary>
    /// Per partition: the cluster has just healed (an election or a restarted broker may still be settling), and
    /// a soak's partition holds a few hundred thousand small records, read in seconds.
    /// </summary>
    private static readonly TimeSpan PartitionTimeout = TimeSpan.FromMinutes(2);

    /// <summary>One try at the watermarks; tried again until <see cref="PartitionTimeout"/>.</summary>
    private static readonly TimeSpan WatermarkTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ConsumePoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A transaction whose producer left it open is aborted past its timeout (30 s in the workload) by a sweep every
    /// 10 s: after this the last stable offset should have reached the high watermark.
    /// </summary>
    private static readonly TimeSpan StableBound = TimeSpan.FromSeconds(60);

    public static Task<IReadOnlyList<PartitionReadBack>> ReadAsync(ClusterEndpoints cluster, CancellationToken cancel = default) =>
        ReadAllAsync(cluster, IsolationLevel.ReadUncommitted, cancel);

    /// <summary>
    /// At read_committed, once every transaction ended: each partition to its last stable offset, which must have
    /// reached the high watermark (a transaction left open holds it back, and what lies beyond goes unread and unjudged).
    /// </summary>
    public static Task<IReadOnlyList<PartitionReadBack>> ReadCommittedAsync(ClusterEndpoints cluster, CancellationToken cancel = default) =>
        ReadAllAsync(cluster, IsolationLevel.ReadCommitted, cancel);

    private static Task<IReadOnlyList<PartitionReadBack>> ReadAllAsync(ClusterEndpoints cluster, IsolationLevel isolation, CancellationToken cancel) =>
        Task.Run(() => (IReadOnlyList<PartitionReadBack>)Enumerable.Range(0, cluster.Partitions)
            .Select(p => ReadPartition(cluster, p, isolation, cancel)).ToArray(), cancel);

    private static PartitionReadBack ReadPartition(ClusterEndpoints cluster, int partition, IsolationLevel isolation, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(PartitionTimeout + (isolation == IsolationLevel.ReadCommitted ? StableBound : TimeSpan.Zero));
        var topicPartition = new TopicPartition(cluster.Topic, partition);
        using var consumer = ConfluentConsumers.FromLogStart(cluster, partition, "read-back", isolation, partitionEnd: true);
        var records = new List<StoredRecord>();
        // Kafka's ListOffsets answers the last stable offset as the end at read_committed, the high watermark otherwise.
        if (Watermarks(consumer, topicPartition, deadline.Token) is not { } watermarks)
            return new PartitionReadBack(partition, -1, -1, records, $"no watermarks within {PartitionTimeout}");
        var end = watermarks.High.Value;
        var unstable = isolation == IsolationLevel.ReadCommitted ? AwaitStable(cluster, consumer, topicPartition, ref end, deadline.Token) : null;

        var next = watermarks.Low.Value;
        var reached = next;
        while (reached < end && !deadline.IsCancellationRequested)
        {
            try
            {
                if (consumer.Consume(ConsumePoll) is not { } result) continue;
                // The end is reported where the consumer stands: at read_committed past aborted records and markers too.
                if (result.IsPartitionEOF)
                {
                    reached = Math.Max(reached, result.Offset.Value);
                    continue;
                }
                // A reset to the log start (the position fell off the log) reads again what was read.
                if (result.Offset.Value < next) continue;
                records.Add(new StoredRecord(result.Offset.Value, result.Message.Value));
                next = result.Offset.Value + 1;
                reached = Math.Max(reached, next);
            }
            catch (ConsumeException)
            {
                // A partition still changing leader answers with errors for a moment; the deadline bounds them.
            }
        }
        var incomplete = reached < end ? $"read up to offset {reached} of {end} within {PartitionTimeout}" : null;
        return new PartitionReadBack(partition, watermarks.Low.Value, end, records,
            unstable is null ? incomplete : incomplete is null ? unstable : $"{unstable}; {incomplete}");
    }

    /// <summary>
    /// Waits up to <see cref="StableBound"/> until the last stable offset reached the high watermark (every transaction's
    /// markers written), updating <paramref name="lastStable"/>; says what is wrong if it stayed below.
    /// </summary>
    private static string? AwaitStable(ClusterEndpoints cluster, IConsumer<Null, string?> committed, TopicPartition partition, ref long lastStable, CancellationToken cancel)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(StableBound);
        using var uncommitted = ConfluentConsumers.FromLogStart(cluster, partition.Partition.Value, "read-back-high-watermark");
        var high = -1L;
        while (!bound.IsCancellationRequested)
        {
            if (Watermarks(uncommitted, partition, bound.Token) is { } watermarks)
            {
                high = watermarks.High.Value;
                if (lastStable >= high) return null;
            }
            bound.Token.WaitHandle.WaitOne(ConsumePoll);
            if (Watermarks(committed, partition, bound.Token) is { } now) lastStable = now.High.Value;
        }
        return $"the last stable offset stayed at {lastStable}, below the high watermark {high}, for {StableBound.TotalSeconds:F0} s: a transaction never ended";
    }

    private static WatermarkOffsets? Watermarks(IConsumer<Null, string?> consumer, TopicPartition partition, CancellationToken deadline)
    {
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                return consumer.QueryWatermarkOffsets(partition, WatermarkTimeout);
            }
            catch (KafkaException)
            {
                deadline.WaitHandle.WaitOne(ConsumePoll);
            }
        }
        return null;
    }
}
