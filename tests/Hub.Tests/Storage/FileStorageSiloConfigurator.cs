using Hub.Silo.Storage;
using Orleans.TestingHost;

namespace Hub.Tests.Storage;

/// <summary>Registers the file storage provider the way a real silo does, rooted where the test says.</summary>
public sealed class FileStorageSiloConfigurator : ISiloConfigurator
{
    public const string RootDirectoryKey = "FileStorageTest:RootDirectory";

    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddFileGrainStorage(NotebookGrain.StorageName,
            options => options.RootDirectory = siloBuilder.Configuration[RootDirectoryKey]!);
}
