using Hub.Batches;
using Hub.Grains;
using Hub.Partitions;
using Hub.Tests.Cluster;

namespace Hub.Tests.Kafka;

/// <summary>
/// One in-process silo with its Kafka listener on a free loopback port, shared by the Kafka tests; a test that
/// needs other silo settings (<see cref="HubTestCluster.StartAsync"/>'s) makes its own.
/// </summary>
public sealed class KafkaCluster : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string>? _settings;

    public KafkaCluster()
    {
    }

    /// <summary>Not public: xunit requires a collection fixture's public constructor to be its only one.</summary>
    internal KafkaCluster(IReadOnlyDictionary<string, string> settings) => _settings = settings;

    public HubTestCluster Cluster { get; private set; } = null!;

    public string Bootstrap => Cluster.KafkaBootstrap;

    public async Task InitializeAsync() => Cluster = await HubTestCluster.StartAsync(settings: _settings);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The headers of the batches stored in partition 0 of <paramref name="topic"/> (its first MiB), as the log holds them.</summary>
    public Task<List<RecordBatchHeader>> StoredBatchesAsync(string topic) => Cluster.StoredBatchesAsync(topic, 0);

    /// <summary>The codec of each batch stored in partition 0 of <paramref name="topic"/>.</summary>
    public async Task<List<CompressionType>> StoredCompressionAsync(string topic) =>
        (await StoredBatchesAsync(topic)).Select(h => h.Compression).ToList();

    /// <summary>A topic name no other test uses.</summary>
    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}

[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaCluster>
{
    public const string Name = "kafka";
}
