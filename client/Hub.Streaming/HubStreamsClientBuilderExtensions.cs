using Microsoft.Extensions.DependencyInjection;

namespace Hub.Streaming;

public static class HubStreamsClientBuilderExtensions
{
    /// <summary>
    /// Lets an Orleans client (a web front end, a tool) publish to Hub streams: the provider named
    /// <paramref name="name"/>, configured as the silos' one. A client does not subscribe to persistent streams;
    /// its grains do. Without <see cref="HubStreamOptions.Connection"/> it publishes through the cluster it is a
    /// client of, which must then be Hub.
    /// </summary>
    public static IClientBuilder AddHubStreams(this IClientBuilder client, string name, Action<HubStreamOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        client.Services.AddOptions<HubStreamOptions>(name).Configure(configure);
        return client.AddPersistentStreams(name, HubAdapterFactory.Create, _ => { });
    }
}
