using Hub.Tests.Cluster;

namespace Hub.Tests.Kafka;

/// <summary>One in-process silo with its Kafka listener on a free loopback port, shared by the Kafka tests.</summary>
public sealed class KafkaCluster : IAsyncLifetime
{

    public HubTestCluster Cluster { get; private set; } = null!;

    public string Bootstrap => Cluster.KafkaBootstrap;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A topic name no other test uses.</summary>
    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaCluster>
{
    public const string Name = "kafka";
}
