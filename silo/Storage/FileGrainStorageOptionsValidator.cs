using Orleans;
using Orleans.Runtime;

namespace Hub.Silo.Storage;

/// <summary>Stops the silo at startup when a file storage provider has no root directory.</summary>
internal sealed class FileGrainStorageOptionsValidator(FileGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        if (string.IsNullOrWhiteSpace(options.RootDirectory))
            throw new OrleansConfigurationException(
                $"File grain storage '{name}' needs {nameof(FileGrainStorageOptions.RootDirectory)} to be set.");
    }
}
