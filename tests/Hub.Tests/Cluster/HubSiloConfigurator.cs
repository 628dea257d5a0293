using Hub.Silo.Hosting;
using Orleans.TestingHost;

namespace Hub.Tests.Cluster;

/// <summary>Configures each test silo exactly as the host program does, with its data under the test's directory.</summary>
public sealed class HubSiloConfigurator : ISiloConfigurator
{
    public const string DataDirectoryKey = "HubTest:DataDirectory";
    public const string RetentionCheckMsKey = "HubTest:RetentionCheckMs";

    public void Configure(ISiloBuilder siloBuilder)
    {
        var config = siloBuilder.Configuration;
        siloBuilder.AddHub(new HubSiloOptions
        {
            DataDirectory = config[DataDirectoryKey]!,
            RetentionCheckInterval = TimeSpan.FromMilliseconds(int.Parse(config[RetentionCheckMsKey] ?? "300000")),
        });
    }
}
