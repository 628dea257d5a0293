using Hub.Batches;
using Hub.Client;
using Hub.Grains;
using Hub.Partitions;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Transport;
using Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Hub.Tests.Cluster;

/// <summary>
/// An in-process one-silo Hub cluster over a fresh temporary data directory, which it deletes when disposed.
/// <see cref="RestartAsync"/> stops it and starts a new one on the same disk, handing the directory over.
/// </summary>
public sealed class HubTestCluster : IAsyncDisposable
{
    private readonly TestCluster _cluster;
    private readonly TempDirectory _data;
    private readonly TimeSpan? _retentionCheck;
    private readonly IReadOnlyDictionary<string, string>? _settings;
    private readonly IReadOnlyList<Type> _configurators;
    private bool _ownsData = true;

    private HubTestCluster(TestCluster cluster, TempDirectory data, TimeSpan? retentionCheck, IReadOnlyDictionary<string, string>? settings,
        IReadOnlyList<Type> configurators)
    {
        _cluster = cluster;
        _data = data;
        _retentionCheck = retentionCheck;
        _settings = settings;
        _configurators = configurators;
        Client = HubClient.FromGrainFactory(cluster.Client);
    }

    public string DataDirectory => _data.Path;

    public HubClient Client { get; }

    /// <summary>The cluster client's grain factory: calls through it come from a client, as an SDK user's do.</summary>
    public IGrainFactory Grains => _cluster.GrainFactory;

    /// <summary>
    /// The silo's own grain factory: calls through it come from the silo, so a test may make inter-broker calls
    /// (standing in for the controller or another broker), which the silo refuses to clients.
    /// </summary>
    public IGrainFactory SiloGrains => SiloServices.GetRequiredService<IGrainFactory>();

    /// <summary>The headers of the batches stored in the partition (its first MiB), as its log holds them.</summary>
    public async Task<List<RecordBatchHeader>> StoredBatchesAsync(string topic, int partition)
    {
        var fetched = await Grains.GetGrain<IPartitionGrain>(PartitionKey.Format(topic, partition, 0)).Fetch(new FetchRequest(0, 1 << 20));
        var headers = new List<RecordBatchHeader>();
        for (var rest = fetched.Records.Memory; RecordBatchHeader.TryRead(rest.Span, out var header); rest = rest[header.TotalSize..])
            headers.Add(header);
        return headers;
    }

    /// <summary>The cluster's Orleans client (what <see cref="Client"/> wraps), e.g. for its stream providers.</summary>
    public IClusterClient OrleansClient => _cluster.Client;

    /// <summary>The silo's services, to reach what the silo uses as it is configured (its grain storage serializer).</summary>
    public IServiceProvider SiloServices => ((InProcessSiloHandle)_cluster.Primary!).SiloHost!.Services;

    /// <summary>"host:port" of the silo's Kafka listener (a free port chosen at start), for Kafka clients.</summary>
    public string KafkaBootstrap =>
        SiloServices.GetRequiredService<KafkaListeners>().LocalEndPoint is { } endpoint
            ? $"{endpoint.Address}:{endpoint.Port}"
            : throw new InvalidOperationException("the Kafka listener has not started");

    /// <param name="settings">Further <see cref="Silo.Configuration.HubSiloOptions"/> by property name, as configuration values ("00:00:01").</param>
    /// <param name="configurators">
    /// Further <see cref="ISiloConfigurator"/> types, applied after the Hub one (e.g. a stream provider), and
    /// <see cref="IClientBuilderConfigurator"/> types for the cluster's client; a type may be both.
    /// </param>
    public static Task<HubTestCluster> StartAsync(TimeSpan? retentionCheck = null, IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyList<Type>? configurators = null) =>
        StartAsync(new TempDirectory(), retentionCheck, settings, configurators ?? []);

    /// <summary>
    /// Stops this cluster, keeping its data, and starts a new one with the same settings on it; in between
    /// <paramref name="whileStopped"/> may change the data directory (e.g. write into a partition's log).
    /// </summary>
    public async Task<HubTestCluster> RestartAsync(Action<string>? whileStopped = null)
    {
        _ownsData = false;
        await DisposeAsync();
        whileStopped?.Invoke(_data.Path);
        return await StartAsync(_data, _retentionCheck, _settings, _configurators);
    }

    private static async Task<HubTestCluster> StartAsync(TempDirectory data, TimeSpan? retentionCheck, IReadOnlyDictionary<string, string>? settings,
        IReadOnlyList<Type> configurators)
    {
        var builder = new TestClusterBuilder(1);
        builder.Properties[HubSiloConfigurator.DataDirectoryKey] = data.Path;
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            builder.Properties[$"{Silo.Configuration.HubSiloOptions.SectionName}:{name}"] = value;
        if (retentionCheck is { } interval)
            builder.Properties[HubSiloConfigurator.RetentionCheckMsKey] = ((int)interval.TotalMilliseconds).ToString();
        builder.AddSiloBuilderConfigurator<HubSiloConfigurator>();
        foreach (var configurator in configurators)
        {
            if (configurator.IsAssignableTo(typeof(ISiloConfigurator))) builder.Options.SiloBuilderConfiguratorTypes.Add(configurator.AssemblyQualifiedName!);
            if (configurator.IsAssignableTo(typeof(IClientBuilderConfigurator))) builder.Options.ClientBuilderConfiguratorTypes.Add(configurator.AssemblyQualifiedName!);
        }
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new HubTestCluster(cluster, data, retentionCheck, settings, configurators);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        if (_ownsData) _data.Dispose();
    }
}
