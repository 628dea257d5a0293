namespace Hub.Tests.Support;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("hub-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
