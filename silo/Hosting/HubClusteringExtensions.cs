using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;
using Orleans.Serialization;
using Hub.Silo.Configuration;
using System.Net;
using Hub.Silo.Storage;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Hub.Silo.Hosting;

/// <summary>
/// Membership and the metadata grain storage follow one setting (<see cref="HubClusteringOptions.Provider"/>):
/// state every silo must see can live on local disk only when there is one silo.
/// </summary>
public static class HubClusteringExtensions
{
    public static ISiloBuilder UseHubClustering(this ISiloBuilder silo, HubSiloOptions hub)
    {
        var clustering = hub.Clustering;
        switch (clustering.Provider)
        {
            case HubClusteringOptions.Localhost:
                return silo.UseLocalhostClustering(hub.SiloPort, hub.GatewayPort, serviceId: hub.ServiceId, clusterId: hub.ClusterId);
            case HubClusteringOptions.Redis:
                silo.Configure<ClusterOptions>(cluster =>
                {
                    cluster.ClusterId = hub.ClusterId;
                    cluster.ServiceId = hub.ServiceId;
                });
                silo.ConfigureEndpoints(IPAddress.Parse(clustering.AdvertisedAddress), hub.SiloPort, hub.GatewayPort);
                silo.Configure<ClusterMembershipOptions>(membership => FailureDetection(membership, clustering));
                return silo.UseRedisClustering(options => options.ConfigurationOptions = Redis(clustering));
            default:
                throw UnknownProvider(clustering);
        }
    }

    public static ISiloBuilder AddHubMetadataStorage(this ISiloBuilder silo, HubSiloOptions hub)
    {
        // Orleans' storage JSON leaves out values equal to their type's default (0 for numbers) and reads them back as
        // the property's initializer: flush.ms=0 came back as 100, retention.bytes=0 as -1, producer id 0 as "none".
        silo.Services.Configure<OrleansJsonSerializerOptions>(json => json.JsonSerializerSettings.DefaultValueHandling = DefaultValueHandling.Include);
        return AddStorage(silo, hub);
    }

    private static ISiloBuilder AddStorage(ISiloBuilder silo, HubSiloOptions hub) => hub.Clustering.Provider switch
    {
        HubClusteringOptions.Localhost => silo.AddFileGrainStorage(HubStorage.Name, storage => storage.RootDirectory = hub.MetadataDirectory),
        HubClusteringOptions.Redis => silo.AddRedisGrainStorage(HubStorage.Name,
            options => options.Configure(redis => redis.ConfigurationOptions = Redis(hub.Clustering))),
        _ => throw UnknownProvider(hub.Clustering),
    };

    /// <summary>
    /// Partition leadership moves only once a dead silo is declared dead, so that must be quick: with Orleans'
    /// defaults it took 10-13 s after a SIGKILL on these machines. See <see cref="HubClusteringOptions.ProbeTimeout"/>
    /// for the trade-off. The liveness check over the silo connection is off because it slowed detection of a
    /// hung silo to about 8 s.
    /// </summary>
    private static void FailureDetection(ClusterMembershipOptions membership, HubClusteringOptions clustering)
    {
        membership.ProbeTimeout = clustering.ProbeTimeout;
        membership.NumMissedProbesLimit = clustering.MissedProbesLimit;
        membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        membership.EnableConnectionLivenessCheck = false;
    }

    private static ConfigurationOptions Redis(HubClusteringOptions clustering) => ConfigurationOptions.Parse(clustering.RedisConnectionString);

    private static InvalidOperationException UnknownProvider(HubClusteringOptions clustering) => new(
        $"Hub:Clustering:Provider must be '{HubClusteringOptions.Localhost}' or '{HubClusteringOptions.Redis}', got '{clustering.Provider}'");
}
