using Microsoft.Win32.SafeHandles;

namespace Hub.Silo.Storage;

/// <summary>
/// The one way partition logs change their files: every write, truncation, creation, deletion and fsync of a log's
/// segments, indexes, leader-epoch checkpoint and partition.metadata, and of its directory, goes through here. So a
/// disk failure is seen in one place, and can be injected in one place:
/// <list type="bullet">
/// <item>An <see cref="IOException"/> from any of them is reported to <c>onFailure</c> (the silo's log directory
/// takes it offline, as Kafka's LogDirFailureChannel does) and rethrown.</item>
/// <item>Given an <see cref="IoFaultSwitch"/> (fault-injection runs only), every call fails with an
/// <see cref="IOException"/> while the switch is on. Without one it is plain file I/O plus a null check.</item>
/// </list>
/// Reads are not covered: a failed disk is found by its writes and fsyncs, as Kafka finds it. Thread-safe.
/// </summary>
internal sealed class DiskIo(IoFaultSwitch? faults = null, Action<IOException>? onFailure = null)
{
    /// <summary>Plain file I/O that reports failures to nobody: for files outside a broker's log directory.</summary>
    public static readonly DiskIo Plain = new();

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long position)
    {
        try
        {
            ThrowIfFailing();
            RandomAccess.Write(file, bytes, position);
        }
        catch (IOException e)
        {
            onFailure?.Invoke(e);
            throw;
        }
    }

    public void SetLength(SafeFileHandle file, long length) => Run(() => RandomAccess.SetLength(file, length));

    /// <summary>fsyncs a file's data (and the metadata needed to read it back).</summary>
    public void Fsync(SafeFileHandle file) => Run(() => RandomAccess.FlushToDisk(file));

    /// <summary>fsyncs a directory, so the files created, renamed or deleted in it stay so after a power loss.</summary>
    public void FsyncDirectory(string directory) => Run(() => DirectorySync.Flush(directory));

    /// <summary>Opens a file for writing (<paramref name="mode"/> says whether it may or must be created).</summary>
    public SafeFileHandle Open(string path, FileMode mode, FileAccess access = FileAccess.Write, FileShare share = FileShare.Read)
    {
        SafeFileHandle? file = null;
        Run(() => file = File.OpenHandle(path, mode, access, share));
        return file!;
    }

    public void Delete(string path) => Run(() => File.Delete(path));

    public void Move(string from, string to) => Run(() => File.Move(from, to, overwrite: true));

    public void DeleteDirectory(string directory) => Run(() =>
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    });

    private void Run(Action io)
    {
        try
        {
            ThrowIfFailing();
            io();
        }
        catch (IOException e)
        {
            onFailure?.Invoke(e);
            throw;
        }
    }

    private void ThrowIfFailing()
    {
        if (faults is { IsFailing: true }) throw new IOException("injected I/O failure (fault injection: the disk is failing)");
    }
}
