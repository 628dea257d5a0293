using Hub.Tests.Cluster;
using Hub.Tests.Support;

namespace Hub.Tests.Kafka;

/// <summary>One in-process silo with its Kafka listener on a free loopback port, shared by the Kafka tests.</summary>
public sealed class KafkaCluster : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public HubTestCluster Cluster { get; private set; } = null!;

    public string Bootstrap => Cluster.KafkaBootstrap;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>A topic name no other test uses.</summary>
    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaCluster>
{
    public const string Name = "kafka";
}
