using Orleans.Storage;

namespace Hub.Silo.Storage;

/// <summary>Settings of one named <see cref="FileGrainStorage"/> provider.</summary>
public sealed class FileGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>
    /// Folder that holds the state files, one subfolder per state name. Give each silo its own: the ETag
    /// check fences writers inside one process, not across processes sharing a folder.
    /// </summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>
    /// Turns state objects into bytes. Left unset, Orleans fills it in with the serializer registered under
    /// the provider's name, else the silo-wide <see cref="IGrainStorageSerializer"/>.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
