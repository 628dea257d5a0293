using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Hub.Grains;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Protocol;
using Hub.Tests.Cluster;

namespace Hub.Tests.Kafka;

/// <summary>A silo with Kafka's auto.create.topics.enable on (Hub:AutoCreateTopics) and three partitions a topic by default.</summary>
public sealed class AutoCreatingCluster : IAsyncLifetime
{
    public HubTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync(settings: new Dictionary<string, string>
    {
        [nameof(HubSiloOptions.AutoCreateTopics)] = "true",
        [nameof(HubSiloOptions.DefaultTopicPartitions)] = "3",
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Topic auto-creation as Kafka's clients meet it: a producer's Metadata request creates the topic, a consumer's and one that does not allow it don't.</summary>
public sealed class AutoCreateTopicsTests(AutoCreatingCluster cluster) : IClassFixture<AutoCreatingCluster>
{
    private IClusterControllerGrain Controller => cluster.Cluster.Grains.GetGrain<IClusterControllerGrain>(0);

    [Fact]
    public async Task A_producer_creates_the_topic_it_writes_to_with_the_default_partitions()
    {
        var topic = KafkaCluster.NewTopic("auto-produce");
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.Cluster.KafkaBootstrap }).Build();

        var delivered = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "first" }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        Assert.Equal(3, (await Controller.GetTopic(topic))?.PartitionCount);
    }

    [Fact]
    public async Task The_brokers_configs_say_so()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.Cluster.KafkaBootstrap }).Build();
        var described = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = "0" }]));
        Assert.Equal(("true", "3"), (described.Entries["auto.create.topics.enable"].Value, described.Entries["num.partitions"].Value));
    }

    [Fact]
    public async Task A_metadata_request_that_does_not_allow_it_and_a_consumers_subscription_create_nothing()
    {
        var refused = KafkaCluster.NewTopic("auto-refused");
        using (var connection = await RawKafkaConnection.ConnectAsync(cluster.Cluster.KafkaBootstrap))
        {
            // Metadata v4 with allow_auto_topic_creation false.
            await connection.SendAsync(ApiKey.Metadata, 4, 1, RequestBodies.Metadata(4, refused));
            Assert.NotNull(await connection.ReceiveAsync(TimeSpan.FromSeconds(10)));
        }
        Assert.Null(await Controller.GetTopic(refused));

        var subscribed = KafkaCluster.NewTopic("auto-subscribed");
        using (var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
               {
                   BootstrapServers = cluster.Cluster.KafkaBootstrap, GroupId = KafkaCluster.NewTopic("auto-g"),
               }).Build())
        {
            consumer.Subscribe(subscribed);
            // librdkafka's consumers don't allow auto-creation by default (allow.auto.create.topics), and say so.
            var missing = Assert.Throws<ConsumeException>(() => consumer.Consume(TimeSpan.FromSeconds(10)));
            Assert.Equal(Confluent.Kafka.ErrorCode.UnknownTopicOrPart, missing.Error.Code);
            consumer.Close();
        }
        Assert.Null(await Controller.GetTopic(subscribed));
    }
}
