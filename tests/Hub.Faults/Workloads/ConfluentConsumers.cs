using Confluent.Kafka;

namespace Hub.Faults.Workloads;

/// <summary>The Confluent.Kafka consumers the observers and the read-back use: one partition each, assigned by hand.</summary>
internal static class ConfluentConsumers
{
    /// <summary>
    /// A consumer of one partition from its log start, reading every record below the high watermark, committing
    /// nothing (Confluent.Kafka insists on a group id, but without subscribe or commit the group is never used).
    /// A position that falls off the log (truncated, or below its start) restarts at the log start.
    /// </summary>
    public static IConsumer<Null, string?> FromLogStart(ClusterEndpoints cluster, int partition, string clientId)
    {
        var consumer = new ConsumerBuilder<Null, string?>(new ConsumerConfig
            {
                BootstrapServers = string.Join(',', cluster.KafkaBootstrap),
                ClientId = clientId,
                GroupId = $"hub-faults-{clientId}",
                EnableAutoCommit = false,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                // Nothing here is transactional; read everything the high watermark has passed.
                IsolationLevel = IsolationLevel.ReadUncommitted,
                EnablePartitionEof = false,
            })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        consumer.Assign(new TopicPartitionOffset(cluster.Topic, partition, Offset.Beginning));
        return consumer;
    }
}
