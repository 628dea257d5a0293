namespace Hub.Client;

/// <summary>Where the Hub cluster is and how long to try reaching it.</summary>
public sealed class HubClientOptions
{
    /// <summary>Silo gateway endpoints as host:port (Orleans' gateway port, 30000 by default).</summary>
    public IList<string> Gateways { get; set; } = ["localhost:30000"];

    public string ClusterId { get; set; } = "hub";

    public string ServiceId { get; set; } = "hub";

    /// <summary>How long <see cref="HubClient.ConnectAsync"/> keeps retrying before giving up.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
