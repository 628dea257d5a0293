using Hub.Silo.Configuration;
using Hub.Silo.Controller;
using Hub.Silo.Groups;
using Hub.Silo.Transactions;
using Hub.Silo.InterBroker;
using Hub.Silo.Security;
using Hub.Silo.Kafka;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Log;
using Hub.Silo.Partitions;
using Hub.Silo.Placement;
using Hub.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Hub.Silo.Hosting;

public static class HubSiloBuilderExtensions
{
    /// <summary>
    /// Everything a silo needs to be a Hub broker, whatever its clustering: broker id in silo metadata,
    /// broker placement, the refusal of inter-broker calls from clients, the metadata storage provider (local disk, or shared in a real cluster), the options the grains read, and the
    /// Kafka protocol listener, the data directory's lock, the log cleaner and the log directory (with its fault-injection hook when
    /// Hub:FaultInjection:Enabled).
    /// </summary>
    public static ISiloBuilder AddHub(this ISiloBuilder silo, HubSiloOptions options)
    {
        Directory.CreateDirectory(options.LogsDirectory);
        silo.UseSiloMetadata(new Dictionary<string, string>
        {
            [BrokerDirectory.BrokerIdKey] = options.BrokerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [KafkaBrokers.EndpointKey] = KafkaBrokers.Published(options),
        });
        silo.UseHubTls(options.OrleansTls, options.TlsFilesCheckInterval);
        silo.AddHubMetadataStorage(options);
        silo.AddPlacementDirector<BrokerPlacement, BrokerPlacementDirector>();
        silo.AddIncomingGrainCallFilter<InterBrokerCallFilter>();
        silo.AddIncomingGrainCallFilter<GatewayCallAuthorizer>();
        silo.Services.AddSingleton<GatewayAuthenticator>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, BootstrapUser>();
        silo.Services.AddSingleton(Options.Create(options));
        silo.Services.AddSingleton<BrokerDirectory>();
        silo.Services.AddSingleton<AppendPreparation>();
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DataDirectoryLockHolder>();
        AddLogDirectory(silo.Services, options);
        silo.Services.AddSingleton<Cleaner.LogCleaner>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<Cleaner.LogCleaner>());
        silo.Services.AddHostedService<GroupOffsetsExpiry>();
        silo.Services.AddHostedService<TransactionTimeouts>();
        silo.Services.AddHostedService<BrokerMembershipWatcher>();
        silo.AddKafkaListener();
        return silo;
    }

    private static void AddLogDirectory(IServiceCollection services, HubSiloOptions options)
    {
        if (options.FaultInjection.Enabled)
        {
            services.AddSingleton<IoFaultSwitch>();
            services.AddHostedService(sp => new FailIoMarkerWatcher(
                Path.Combine(options.FaultInjectionDirectory, FaultInjectionOptions.FailIoMarker), sp.GetRequiredService<IoFaultSwitch>(), sp.GetRequiredService<TimeProvider>()));
        }
        services.AddSingleton(sp => new LogDirectory(options.LogsDirectory, sp.GetService<IoFaultSwitch>(), sp.GetRequiredService<ILogger<LogDirectory>>()));
        services.AddHostedService<LogDirectoryFailureReporter>();
    }
}
