using Hub.Client;
using Hub.Silo.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Hub.Tests.Cluster;

/// <summary>
/// An in-process one-silo Hub cluster over a data directory that outlives it, so a test can stop the
/// cluster and start a new one on the same disk (a restart).
/// </summary>
public sealed class HubTestCluster : IAsyncDisposable
{
    private readonly TestCluster _cluster;

    private HubTestCluster(TestCluster cluster, string dataDirectory)
    {
        _cluster = cluster;
        DataDirectory = dataDirectory;
        Client = HubClient.FromGrainFactory(cluster.Client);
    }

    public string DataDirectory { get; }

    public HubClient Client { get; }

    public IGrainFactory Grains => _cluster.GrainFactory;

    /// <summary>"host:port" of the silo's Kafka listener (a free port chosen at start), for Kafka clients.</summary>
    public string KafkaBootstrap =>
        ((InProcessSiloHandle)_cluster.Primary!).SiloHost!.Services.GetRequiredService<KafkaListener>().LocalEndPoint is { } endpoint
            ? $"{endpoint.Address}:{endpoint.Port}"
            : throw new InvalidOperationException("the Kafka listener has not started");

    /// <param name="settings">Further <see cref="Silo.Hosting.HubSiloOptions"/> by property name, as configuration values ("00:00:01").</param>
    public static async Task<HubTestCluster> StartAsync(string dataDirectory, TimeSpan? retentionCheck = null,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[HubSiloConfigurator.DataDirectoryKey] = dataDirectory;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            builder.Properties[$"{Silo.Hosting.HubSiloOptions.SectionName}:{name}"] = value;
        if (retentionCheck is { } interval)
            builder.Properties[HubSiloConfigurator.RetentionCheckMsKey] = ((int)interval.TotalMilliseconds).ToString();
        builder.AddSiloBuilderConfigurator<HubSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new HubTestCluster(cluster, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }
}
