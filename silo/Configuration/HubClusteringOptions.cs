namespace Hub.Silo.Configuration;

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

    /// <summary>
    /// How often silos probe each other, and how long a probe may take. A silo that misses
    /// <see cref="MissedProbesLimit"/> probes in a row from two others is declared dead and its partitions fail
    /// over, so detection takes about ProbeTimeout × MissedProbesLimit. Shorter fails over sooner but declares
    /// live silos dead when a machine is starved of CPU: 1 s × 2 (under 1 s to detect a SIGKILL) killed healthy
    /// silos at a load average of 20 on two cores. Orleans' default is 5 s × 3.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int MissedProbesLimit { get; set; } = 3;
}
