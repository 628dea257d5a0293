namespace Hub.Tests.Storage;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hub-storage-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
