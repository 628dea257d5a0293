using Hub.Client;
using Hub.Silo.Storage;
using Hub.Streaming;
using Hub.Streaming.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

// dotnet Hub.Streaming.TestHost.dll --HubGateway localhost:30000 --DataDirectory dir --SiloPort n --GatewayPort n
var builder = Host.CreateApplicationBuilder(args);
var config = builder.Configuration;
string Required(string key) => config[key] ?? throw new ArgumentException($"missing --{key}");
var dataDirectory = Required("DataDirectory");

builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(int.Parse(Required("SiloPort")), int.Parse(Required("GatewayPort")),
        serviceId: CounterApp.ClusterId, clusterId: CounterApp.ClusterId);
    silo.AddFileGrainStorage(CounterApp.Storage, storage => storage.RootDirectory = Path.Combine(dataDirectory, "counters"));
    silo.AddFileGrainStorage("PubSubStore", storage => storage.RootDirectory = Path.Combine(dataDirectory, "pubsub"));
    silo.AddHubStreams(CounterApp.StreamProvider, streams =>
    {
        streams.Topics = [CounterApp.Topic];
        streams.Connection = new HubClientOptions { Gateways = [Required("HubGateway")] };
        // A small cache lets go of delivered records, and so commits progress, every 50 records.
        streams.CacheSize = 500;
    });
});

using var host = builder.Build();
await host.RunAsync();
