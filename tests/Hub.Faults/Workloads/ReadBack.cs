using Confluent.Kafka;
using Hub.Faults.Checking;

namespace Hub.Faults.Workloads;

/// <summary>
/// Reads every partition from its log start to its high watermark with Confluent.Kafka, after the workloads
/// stopped and the cluster healed: what the checker compares the history with.
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

    public static Task<IReadOnlyList<PartitionReadBack>> ReadAsync(ClusterEndpoints cluster, CancellationToken cancel = default) =>
        Task.Run(() => (IReadOnlyList<PartitionReadBack>)Enumerable.Range(0, cluster.Partitions)
            .Select(p => ReadPartition(cluster, p, cancel)).ToArray(), cancel);

    private static PartitionReadBack ReadPartition(ClusterEndpoints cluster, int partition, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(PartitionTimeout);
        using var consumer = ConfluentConsumers.FromLogStart(cluster, partition, "read-back");
        var records = new List<StoredRecord>();
        if (Watermarks(consumer, new TopicPartition(cluster.Topic, partition), deadline.Token) is not { } watermarks)
            return new PartitionReadBack(partition, -1, -1, records, $"no watermarks within {PartitionTimeout}");

        var next = watermarks.Low.Value;
        while (next < watermarks.High.Value && !deadline.IsCancellationRequested)
        {
            try
            {
                // A reset to the log start (the position fell off the log) reads again what was read.
                if (consumer.Consume(ConsumePoll) is not { } result || result.Offset.Value < next) continue;
                records.Add(new StoredRecord(result.Offset.Value, result.Message.Value));
                next = result.Offset.Value + 1;
            }
            catch (ConsumeException)
            {
                // A partition still changing leader answers with errors for a moment; the deadline bounds them.
            }
        }
        var incomplete = next < watermarks.High.Value
            ? $"read up to offset {next} of high watermark {watermarks.High.Value} within {PartitionTimeout}"
            : null;
        return new PartitionReadBack(partition, watermarks.Low.Value, watermarks.High.Value, records, incomplete);
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
