using Hub.Batches;
using Hub.Client;
using Hub.Silo.Storage;
using Hub.Streaming;
using Hub.Streaming.TestHost;
using Hub.Tests.Cluster;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Hub.Tests.Streaming;

/// <summary>
/// A Hub silo that also hosts application grains using Hub streams co-hosted (no SDK connection): the
/// provider <see cref="Provider"/> over the test topics, and <see cref="SlowProvider"/> with a small cache for
/// the back-pressure test. Stream subscriptions and grain state go to files under the silo's data directory.
/// <see cref="Provider"/> publishes zstd-compressed batches.
/// The cluster's client gets <see cref="Provider"/> too, to publish.
/// </summary>
public sealed class StreamingClusterConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string Provider = "streams";
    public const string SlowProvider = "slow-streams";

    public const string OrdersTopic = "orders";
    public const string TicksTopic = "ticks";
    public const string SlowTopic = "slow";

    /// <summary>Partitions of the topics <see cref="Provider"/> creates.</summary>
    public const int Partitions = 3;

    public const int SlowCacheSize = 100;
    public const int SlowReadAhead = 50;

    public void Configure(ISiloBuilder silo)
    {
        var data = silo.Configuration[HubSiloConfigurator.DataDirectoryKey]!;
        silo.AddFileGrainStorage("PubSubStore", storage => storage.RootDirectory = Path.Combine(data, "pubsub"));
        silo.AddFileGrainStorage(CounterApp.Storage, storage => storage.RootDirectory = Path.Combine(data, "counters"));
        silo.AddHubStreams(Provider, ConfigureProvider);
        // The counter grain's provider name, served co-hosted here (the kill test runs it against a remote Hub).
        silo.AddHubStreams(CounterApp.StreamProvider, streams =>
        {
            streams.Topics = [CounterApp.Topic];
            streams.PartitionsForMissingTopics = 2;
        });
        silo.AddHubStreams(SlowProvider, streams =>
        {
            streams.Topics = [SlowTopic];
            streams.PartitionsForMissingTopics = 1;
            streams.CacheSize = SlowCacheSize;
            streams.ReadAheadRecords = SlowReadAhead;
        });
    }

    public void Configure(IConfiguration configuration, IClientBuilder client) => client.AddHubStreams(Provider, ConfigureProvider);

    private static void ConfigureProvider(HubStreamOptions streams)
    {
        streams.Topics = [OrdersTopic, TicksTopic];
        streams.PartitionsForMissingTopics = Partitions;
        // Published events are stored zstd-compressed: the pulling agent and rewinds (StreamReplay) read them so.
        streams.Producer = new ProducerOptions { LingerMs = 2, Acks = Acks.All, CompressionType = CompressionType.Zstd };
    }
}
