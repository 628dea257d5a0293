using Microsoft.Extensions.DependencyInjection;

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
        return silo.AddPersistentStreams(name, HubAdapterFactory.Create, streams => streams.ConfigurePartitionBalancing(HubQueueBalancer.Create));
    }
}
