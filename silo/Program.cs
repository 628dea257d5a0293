using Hub.Silo.Configuration;
using Hub.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

// Settings come from appsettings.json, then HUB_-prefixed environment variables (HUB_Hub__DataDirectory),
// then the command line (--data-dir, --broker-id, ... or --Hub:DataDirectory=...).
// appsettings.json sits beside the binary, so the silo finds it from any working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddEnvironmentVariables("HUB_");
builder.Configuration.AddCommandLine(args, new Dictionary<string, string>
{
    ["--data-dir"] = "Hub:DataDirectory",
    ["--broker-id"] = "Hub:BrokerId",
    ["--silo-port"] = "Hub:SiloPort",
    ["--gateway-port"] = "Hub:GatewayPort",
    ["--kafka-port"] = "Hub:KafkaPort",
    ["--kafka-listen-address"] = "Hub:KafkaListenAddress",
    ["--kafka-advertised-host"] = "Hub:KafkaAdvertisedHost",
    ["--kafka-advertised-port"] = "Hub:KafkaAdvertisedPort",
    ["--kafka-max-request-bytes"] = "Hub:KafkaMaxRequestBytes",
});
var options = builder.Configuration.GetSection(HubSiloOptions.SectionName).Get<HubSiloOptions>() ?? new HubSiloOptions();

builder.UseOrleans(silo =>
{
    // The embedded default is one silo on localhost clustering, nothing external; Hub:Clustering picks a real store.
    silo.UseHubClustering(options);
    silo.AddHub(options);
});

using var host = builder.Build();
await host.RunAsync();
