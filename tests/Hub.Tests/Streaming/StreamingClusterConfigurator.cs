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

    /// <summary>Providers whose rewinds below the log start get the earliest record, or fail.</summary>
    public const string RewindEarliestProvider = "rewind-earliest";
    public const string RewindFailProvider = "rewind-fail";

    public const string OrdersTopic = "orders";
    public const string TicksTopic = "ticks";
    public const string SlowTopic = "slow";
    public const string GrowingTopic = "growing";
    public const string RewindEarliestTopic = "short-earliest";
    public const string RewindFailTopic = "short-fail";

    /// <summary>How often the providers here look for partitions added at runtime: short, so tests see them at once.</summary>
    public static readonly TimeSpan PartitionCheckInterval = TimeSpan.FromMilliseconds(200);

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
            streams.PartitionCheckInterval = PartitionCheckInterval;
        });
        silo.AddHubStreams(RewindEarliestProvider, streams =>
        {
            streams.Topics = [RewindEarliestTopic];
            streams.PartitionsForMissingTopics = 1;
        });
        silo.AddHubStreams(RewindFailProvider, streams =>
        {
            streams.Topics = [RewindFailTopic];
            streams.PartitionsForMissingTopics = 1;
            streams.RewindBelowLogStart = RewindBelowLogStart.Fail;
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
        streams.Topics = [OrdersTopic, TicksTopic, GrowingTopic];
        streams.PartitionsForMissingTopics = Partitions;
        streams.PartitionCheckInterval = PartitionCheckInterval;
        // Published events are stored zstd-compressed: the pulling agent and rewinds (StreamReplay) read them so.
        streams.Producer = new ProducerOptions { LingerMs = 2, Acks = Acks.All, CompressionType = CompressionType.Zstd };
    }
}
