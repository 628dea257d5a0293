using Hub.Silo.Configuration;
using Hub.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Hub.Tests.Cluster;

/// <summary>Configures each test silo exactly as the host program does, with its data under the test's directory.</summary>
public sealed class HubSiloConfigurator : ISiloConfigurator
{
    public const string DataDirectoryKey = "HubTest:DataDirectory";
    public const string RetentionCheckMsKey = "HubTest:RetentionCheckMs";
    public const string KafkaPortKey = "HubTest:KafkaPort";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var config = siloBuilder.Configuration;
        var options = new HubSiloOptions
        {
            DataDirectory = config[DataDirectoryKey]!,
            RetentionCheckInterval = TimeSpan.FromMilliseconds(int.Parse(config[RetentionCheckMsKey] ?? "300000")),
            // Any free loopback port unless a test asks for one: test clusters run side by side.
            KafkaPort = int.Parse(config[KafkaPortKey] ?? "0"),
            KafkaListenAddress = "127.0.0.1",
            KafkaAdvertisedHost = "127.0.0.1",
        };
        // Any other setting a test gives as "Hub:Name" (HubTestCluster.StartAsync's settings).
        config.GetSection(HubSiloOptions.SectionName).Bind(options);
        siloBuilder.AddHub(options);
    }
}
