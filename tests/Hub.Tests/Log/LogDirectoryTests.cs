using Hub.Errors;
using Hub.Silo.Log;
using Hub.Silo.Storage;
using Hub.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Hub.Tests.Log;

/// <summary>The silo's log directory going offline at its first I/O error, and the fault switch that injects one.</summary>
public sealed class LogDirectoryTests : TempDirectoryTests
{
    private readonly IoFaultSwitch _faults = new();

    [Fact]
    public void The_first_failed_write_takes_the_directory_offline_for_good()
    {
        var directory = new LogDirectory(Temp.Path, _faults, NullLogger<LogDirectory>.Instance);
        using var file = directory.Io.Open(PathOf("a"), FileMode.CreateNew);
        directory.Io.Write(file, [1, 2, 3], 0);
        Assert.False(directory.IsOffline);

        _faults.Set(true);
        Assert.Throws<IOException>(() => directory.Io.Fsync(file));
        _faults.Set(false);

        Assert.True(directory.IsOffline);
        Assert.True(directory.Offline.IsCompletedSuccessfully);
        Assert.Equal(ErrorCode.KafkaStorageError, directory.StorageError("t/0@1").Code);
    }

    [Fact]
    public void The_fault_switch_fails_every_write_fsync_create_and_delete_while_on_and_nothing_after()
    {
        var io = new DiskIo(_faults);
        using var file = io.Open(PathOf("a"), FileMode.CreateNew);
        _faults.Set(true);

        Action[] changes =
        [
            () => io.Write(file, [1], 0), () => io.Fsync(file), () => io.SetLength(file, 0), () => io.FsyncDirectory(Temp.Path),
            () => io.Open(PathOf("b"), FileMode.CreateNew).Dispose(), () => io.Move(PathOf("a"), PathOf("c")), () => io.Delete(PathOf("c")),
        ];
        foreach (var change in changes) Assert.Throws<IOException>(change);
        Assert.True(File.Exists(PathOf("a")));
        Assert.False(File.Exists(PathOf("b")));

        _faults.Set(false);
        foreach (var change in changes) change();
    }
}
