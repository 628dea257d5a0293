using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime.Providers;

namespace Hub.Streaming;

public static class HubStreamsSiloBuilderExtensions
{
    /// <summary>
    /// Adds a persistent stream provider named <paramref name="name"/> backed by Hub: each of
    /// <see cref="HubStreamOptions.Topics"/> is a stream namespace, each stream key a record key. Explicit
    /// subscriptions need a grain storage named "PubSubStore" (Orleans' rule for persistent streams).
    /// </summary>
    public static ISiloBuilder AddHubStreams(this ISiloBuilder silo, string name, Action<HubStreamOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        silo.Services.AddOptions<HubStreamOptions>(name).Configure(configure);
        var configured = new HubStreamOptions();
        configure(configured);
        if (configured.DeadLetters is { } policy) AddDeadLetters(silo.Services, name, policy);
        return silo.AddPersistentStreams(name, HubAdapterFactory.Create, streams => streams.ConfigurePartitionBalancing(HubQueueBalancer.Create));
    }

    /// <summary>
    /// The provider's dead letters: the filter that counts a subscriber's failures and dead-letters on the last,
    /// the agent's backoff between attempts, and a delivery time long enough that the agent never gives up (and
    /// skips the event) before the policy's attempts are over.
    /// </summary>
    private static void AddDeadLetters(IServiceCollection services, string name, Client.DeadLetterPolicy policy)
    {
        policy.Validate();
        services.AddKeyedSingleton(name, (sp, _) => new HubStreamDeadLetters(name, policy, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddKeyedSingleton<IMessageDeliveryBackoffProvider>(name, (_, _) => new DeadLetterBackoff(policy));
        services.AddSingleton<IIncomingGrainCallFilter>(sp => new DeadLetterDeliveryFilter(name,
            sp.GetRequiredKeyedService<HubStreamDeadLetters>(name), sp.GetRequiredService<ILogger<DeadLetterDeliveryFilter>>()));
        // Each attempt may take up to the call's response timeout before the agent sees it fail; past this time
        // the agent would skip the event silently.
        services.AddOptions<StreamPullingAgentOptions>(name).Configure<Microsoft.Extensions.Options.IOptions<SiloMessagingOptions>>((agent, messaging) =>
        {
            var needed = policy.TotalBackoff + policy.MaxAttempts * messaging.Value.ResponseTimeout + DeliveryTimeMargin;
            if (agent.MaxEventDeliveryTime < needed) agent.MaxEventDeliveryTime = needed;
        });
    }

    /// <summary>Added to the time the policy's attempts may take: the dead letter's own write (acks=all) and a slow turn or two.</summary>
    private static readonly TimeSpan DeliveryTimeMargin = TimeSpan.FromMinutes(1);
}
