using Hub.Tests.Support;

namespace Hub.Tests.Cluster;

/// <summary>
/// Real silo processes on Redis clustering, as infra/local-cluster.sh runs them: a private Redis, silo i is
/// broker i with its data in <c>broker-i</c> under <see cref="DataPath"/>. Tests may kill and restart silos
/// through <see cref="Silos"/>; disposing stops whatever runs and removes the data.
/// </summary>
public sealed class RedisSiloCluster : IAsyncDisposable
{
    private readonly TempDirectory _data;
    private readonly RedisProcess _redis;

    private RedisSiloCluster(TempDirectory data, RedisProcess redis, SiloProcess[] silos)
    {
        _data = data;
        _redis = redis;
        Silos = silos;
    }

    /// <summary>The silos by broker id; replace an entry when a test restarts that silo.</summary>
    public SiloProcess[] Silos { get; }

    public string DataPath => _data.Path;

    /// <summary>The cluster's membership and metadata store, for tests that stop and restart it.</summary>
    public RedisProcess Redis => _redis;

    /// <summary>Kafka bootstrap servers: every silo's listener.</summary>
    public string KafkaBootstrap => string.Join(",", Silos.Select(s => $"127.0.0.1:{s.KafkaPort}"));

    /// <param name="settings">Extra silo settings as configuration keys, e.g. ["Hub:DeadBrokerReplacementDelay"] = "00:00:03".</param>
    public static async Task<RedisSiloCluster> StartAsync(int brokers, IReadOnlyDictionary<string, string>? settings = null)
    {
        var data = new TempDirectory();
        var redis = await RedisProcess.StartAsync(Path.Combine(data.Path, "redis"));
        var environment = new Dictionary<string, string>
        {
            ["HUB_Hub__Clustering__Provider"] = "Redis",
            ["HUB_Hub__Clustering__RedisConnectionString"] = redis.ConnectionString,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment["HUB_" + key.Replace(":", "__")] = value;
        var starting = Enumerable.Range(0, brokers).Select(broker =>
            SiloProcess.StartAsync(Path.Combine(data.Path, $"broker-{broker}"), broker, environment)).ToArray();
        try
        {
            return new RedisSiloCluster(data, redis, await Task.WhenAll(starting));
        }
        catch
        {
            // One silo failed to start: stop the others, and Redis, rather than leave them running.
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully)) await started.Result.DisposeAsync();
            await redis.DisposeAsync();
            data.Dispose();
            throw;
        }
    }

    /// <summary>Where broker <paramref name="broker"/> keeps the log of one partition.</summary>
    public string PartitionDirectory(int broker, string topic, int partition) =>
        Path.Combine(DataPath, $"broker-{broker}", "logs", $"{topic}-{partition}");

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos) await silo.DisposeAsync();
        await _redis.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>
/// Multi-silo tests run one at a time: three silos starting together on a two-core machine already come close
/// to missing membership probes, and two such clusters at once made healthy silos look dead.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RedisSiloClusterCollection
{
    public const string Name = "multi-silo clusters";
}
