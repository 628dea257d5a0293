using Hub.Client;
using Hub.Silo.Storage;
using Hub.Streaming;
using Hub.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Hub.Tests.DeadLetters;

/// <summary>
/// A Hub silo hosting Hub stream providers with dead-letter policies, each over one single-partition topic:
/// <see cref="Provider"/> dead-letters after 3 attempts; <see cref="GivingUpProvider"/>'s pulling agent gives up
/// (its <c>MaxEventDeliveryTime</c> set below what the policy's attempts need) before its policy would.
/// </summary>
public sealed class DeadLetterClusterConfigurator : ISiloConfigurator
{
    public const string Provider = "dlq-streams";
    public const string Topic = "poison";
    public const string GivingUpProvider = "dlq-giving-up";
    public const string GivingUpTopic = "giving-up";

    /// <summary>The giving-up provider's agent retries this long, well within its policy's 100 attempts.</summary>
    public static readonly TimeSpan AgentDeliveryTime = TimeSpan.FromSeconds(2);

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
        silo.AddHubStreams(GivingUpProvider, streams =>
        {
            streams.Topics = [GivingUpTopic];
            streams.PartitionsForMissingTopics = 1;
            streams.DeadLetters = new DeadLetterPolicy { MaxAttempts = 100, InitialBackoff = TimeSpan.FromMilliseconds(200), BackoffMultiplier = 1 };
        });
        silo.Services.Configure<StreamPullingAgentOptions>(GivingUpProvider, agent => agent.MaxEventDeliveryTime = AgentDeliveryTime);
    }
}
