namespace Hub.Silo.Storage;

/// <summary>
/// Replaces a small file so that after a crash it holds either its old contents or the new ones, never a mix or
/// nothing: the bytes go to "&lt;path&gt;.tmp", which is fsynced, renamed over the file, and the directory fsynced
/// so the rename itself survives a power loss. A ".tmp" left behind is a write that never happened.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Added to the file's name for the copy being written.</summary>
    public const string TempExtension = ".tmp";

    /// <param name="io">How the file is written: a log's <see cref="DiskIo"/> for a log's files, plain otherwise.</param>
    public static void Write(string path, ReadOnlySpan<byte> contents, DiskIo? io = null)
    {
        io ??= DiskIo.Plain;
        var temp = path + TempExtension;
        using (var file = io.Open(temp, FileMode.Create))
        {
            io.Write(file, contents, 0);
            io.Fsync(file);
        }
        io.Move(temp, path);
        io.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Deletes what a write to <paramref name="path"/> that never finished left behind, if anything.</summary>
    public static void DeleteTornWrite(string path)
    {
        try
        {
            File.Delete(path + TempExtension);
        }
        catch (DirectoryNotFoundException)
        {
            // No directory yet, so no temp file either.
        }
    }
}
