namespace Hub.Silo.Hosting;

/// <summary>
/// How silos find each other and where cluster-wide grain state (topic metadata, group offsets) lives
/// (configuration section "Hub:Clustering").
/// </summary>
public sealed class HubClusteringOptions
{
    public const string Localhost = "Localhost";
    public const string Redis = "Redis";

    /// <summary>
    /// <see cref="Localhost"/>: the embedded default, one silo, state on local disk. <see cref="Redis"/>: a real
    /// multi-silo cluster; membership and grain state in Redis, shared by every silo.
    /// </summary>
    public string Provider { get; set; } = Localhost;

    /// <summary>StackExchange.Redis configuration string, for the Redis provider.</summary>
    public string RedisConnectionString { get; set; } = "localhost:6379";

    /// <summary>The address other silos and clients reach this silo at (multi-silo providers).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";
}
