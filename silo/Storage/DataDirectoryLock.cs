namespace Hub.Silo.Storage;

/// <summary>
/// Holds a silo's data directory for the silo's life, as Kafka locks each log directory: an exclusive lock on
/// "&lt;DataDirectory&gt;/.lock" (an advisory flock on Unix, which the kernel drops when the process dies, however it
/// dies). A second silo given the same directory fails to start instead of writing the same logs and metadata.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string FileName = ".lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, or throws naming the directory when another process holds it.</summary>
    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        try
        {
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"The data directory '{directory}' is in use by another silo, which holds its lock file '{path}'. " +
                "Two silos must not share a data directory: give each its own (--data-dir).", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
