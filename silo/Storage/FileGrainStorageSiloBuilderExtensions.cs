using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Hub.Silo.Storage;

public static class FileGrainStorageSiloBuilderExtensions
{
    /// <summary>
    /// Adds a grain storage provider named <paramref name="name"/> that keeps each grain's state in a file on
    /// local disk; grains use it with <c>[PersistentState("stateName", name)]</c>.
    /// </summary>
    public static ISiloBuilder AddFileGrainStorage(this ISiloBuilder builder, string name, Action<FileGrainStorageOptions> configure) =>
        builder.ConfigureServices(services =>
        {
            services.AddOptions<FileGrainStorageOptions>(name).Configure(configure);
            // Fills in GrainStorageSerializer when the options leave it unset, as Orleans' own providers do.
            services.AddTransient<IPostConfigureOptions<FileGrainStorageOptions>,
                DefaultStorageProviderSerializerOptionsConfigurator<FileGrainStorageOptions>>();
            services.AddTransient<IConfigurationValidator>(sp => new FileGrainStorageOptionsValidator(
                sp.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(name), name));
            services.AddGrainStorage(name, (sp, key) => ActivatorUtilities.CreateInstance<FileGrainStorage>(sp,
                sp.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(key)));
        });
}
