using Hub.Silo.Storage;
using Hub.Tests.Support;

namespace Hub.Tests.Storage;

/// <summary><see cref="AtomicFile"/> on real files: what ends up under the final name and what is left beside it.</summary>
public sealed class AtomicFileTests : TempDirectoryTests
{

    [Fact]
    public void Write_creates_the_file_and_leaves_no_temp_file()
    {
        AtomicFile.Write(PathOf("state"), [1, 2, 3]);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(PathOf("state")));
        Assert.Equal(["state"], Directory.GetFiles(Temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_replaces_longer_contents_whole()
    {
        AtomicFile.Write(PathOf("state"), new byte[100]);
        AtomicFile.Write(PathOf("state"), [7]);

        Assert.Equal([7], File.ReadAllBytes(PathOf("state")));
    }

    [Fact]
    public void A_torn_write_left_behind_does_not_stop_the_next_write_and_can_be_deleted()
    {
        File.WriteAllBytes(PathOf("state"), [1]);
        File.WriteAllBytes(PathOf("state.tmp"), [9, 9]); // a crash before the rename

        AtomicFile.DeleteTornWrite(PathOf("state"));
        Assert.False(File.Exists(PathOf("state.tmp")));
        Assert.Equal([1], File.ReadAllBytes(PathOf("state")));

        File.WriteAllBytes(PathOf("state.tmp"), [9, 9]);
        AtomicFile.Write(PathOf("state"), [2]);
        Assert.Equal([2], File.ReadAllBytes(PathOf("state")));
        Assert.False(File.Exists(PathOf("state.tmp")));
    }

    [Fact]
    public void Deleting_a_torn_write_in_a_missing_directory_is_nothing_to_do()
    {
        AtomicFile.DeleteTornWrite(PathOf(Path.Combine("nowhere", "state")));
    }
}
