using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>
/// Appends and fetches of both front doors at once on one silo: the SDK's go through the gateway (serialized, so
/// the silo rents and returns buffers for every call), the Kafka listener's stay in the silo (it returns the
/// grain's fetch buffers itself, including those of long polls it stopped waiting for).
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ConcurrentTrafficTests(KafkaCluster kafka)
{
    private const int Partitions = 4;

    [Fact]
    public async Task Records_produced_and_fetched_at_once_through_the_SDK_and_Kafka_arrive_intact()
    {
        var topic = KafkaCluster.NewTopic("checked");
        await kafka.Cluster.Client.Admin.CreateTopicAsync(topic, Partitions);
        await CheckedTraffic.RunAsync(kafka.Cluster.Client, kafka.Cluster.Client, kafka.Bootstrap, topic, Partitions,
            recordsPerProducer: 100_000, TimeSpan.FromSeconds(90));
    }
}
