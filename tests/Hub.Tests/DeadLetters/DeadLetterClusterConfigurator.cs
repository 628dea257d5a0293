using Hub.Client;
using Hub.Silo.Storage;
using Hub.Streaming;
using Hub.Tests.Cluster;
using Orleans.TestingHost;

namespace Hub.Tests.DeadLetters;

/// <summary>A Hub silo hosting a Hub stream provider with a dead-letter policy, over one single-partition topic.</summary>
public sealed class DeadLetterClusterConfigurator : ISiloConfigurator
{
    public const string Provider = "dlq-streams";
    public const string Topic = "poison";

    /// <summary>Long enough that other streams' deliveries visibly happen between the attempts, short enough for a quick test.</summary>
    public static readonly TimeSpan Backoff = TimeSpan.FromMilliseconds(700);

    public static DeadLetterPolicy Policy => new() { MaxAttempts = 3, InitialBackoff = Backoff, BackoffMultiplier = 1, MaxBackoff = Backoff };

    public void Configure(ISiloBuilder silo)
    {
        var data = silo.Configuration[HubSiloConfigurator.DataDirectoryKey]!;
        silo.AddFileGrainStorage("PubSubStore", storage => storage.RootDirectory = Path.Combine(data, "pubsub"));
        silo.AddHubStreams(Provider, streams =>
        {
            streams.Topics = [Topic];
            // One partition: every stream shares the one queue, so "other streams keep flowing" is about the same agent.
            streams.PartitionsForMissingTopics = 1;
            streams.DeadLetters = Policy;
        });
    }
}
