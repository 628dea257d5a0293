using Confluent.Kafka;

namespace Hub.Faults.Workloads;

/// <summary>The Confluent.Kafka consumers the observers and the read-back use: one partition each, assigned by hand.</summary>
internal static class ConfluentConsumers
{
    /// <summary>
    /// A consumer of one partition from its log start, committing nothing (Confluent.Kafka insists on a group id, but
    /// without subscribe or commit the group is never used). At read_uncommitted it reads every record below the high
    /// watermark; at read_committed it stops at the last stable offset and drops aborted transactions' records.
    /// A position that falls off the log (truncated, or below its start) restarts at the log start. With
    /// <paramref name="partitionEnd"/> it reports reaching the end it reads to (Kafka's partition EOF).
    /// </summary>
    public static IConsumer<Null, string?> FromLogStart(ClusterEndpoints cluster, int partition, string clientId,
        IsolationLevel isolation = IsolationLevel.ReadUncommitted, bool partitionEnd = false)
    {
        var consumer = new ConsumerBuilder<Null, string?>(new ConsumerConfig
            {
                BootstrapServers = string.Join(',', cluster.KafkaBootstrap),
                ClientId = clientId,
                GroupId = $"hub-faults-{clientId}",
                EnableAutoCommit = false,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                IsolationLevel = isolation,
                EnablePartitionEof = partitionEnd,
            })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        consumer.Assign(new TopicPartitionOffset(cluster.Topic, partition, Offset.Beginning));
        return consumer;
    }
}
