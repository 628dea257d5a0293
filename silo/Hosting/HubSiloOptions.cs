namespace Hub.Silo.Hosting;

/// <summary>Settings of one Hub silo (configuration section "Hub").</summary>
public sealed class HubSiloOptions
{
    public const string SectionName = "Hub";

    /// <summary>Stable id of this broker, as Kafka's broker.id: partition replicas are keyed by it.</summary>
    public int BrokerId { get; set; }

    /// <summary>Root of the silo's data: partition logs under logs/, grain state under meta/.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (the SDK and the hub CLI) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "hub";

    public string ServiceId { get; set; } = "hub";

    /// <summary>How often each partition deletes segments past retention (Kafka's log.retention.check.interval.ms).</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    public string LogsDirectory => Path.Combine(DataDirectory, "logs");

    public string MetadataDirectory => Path.Combine(DataDirectory, "meta");
}
