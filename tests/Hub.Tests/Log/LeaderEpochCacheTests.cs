using System.Text;
using Hub.Silo.Log;
using Hub.Silo.Storage;
using Hub.Tests.Support;

namespace Hub.Tests.Log;

/// <summary>The leader-epoch-checkpoint file as <see cref="LeaderEpochCache"/> writes and reads it.</summary>
public sealed class LeaderEpochCacheTests : TempDirectoryTests
{

    private string FilePath => Path.Combine(Temp.Path, LeaderEpochCache.FileName);

    [Fact]
    public void Every_change_rewrites_the_file_as_epoch_offset_lines()
    {
        var cache = LeaderEpochCache.Load(Temp.Path, logEndOffset: 0, DiskIo.Plain);
        cache.Assign(0, 0);
        cache.Assign(3, 100);
        Assert.Equal("0 0\n3 100\n", Encoding.UTF8.GetString(File.ReadAllBytes(FilePath)));

        cache.TruncateFromEnd(100);
        Assert.Equal("0 0\n", File.ReadAllText(FilePath));
        cache.Clear();
        Assert.Equal(0, new FileInfo(FilePath).Length);
        Assert.Equal([LeaderEpochCache.FileName], Directory.GetFiles(Temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void An_epoch_starts_where_it_or_a_later_one_was_first_written_or_at_the_log_end_when_none_was()
    {
        var cache = LeaderEpochCache.Load(Temp.Path, logEndOffset: 0, DiskIo.Plain);
        cache.Assign(0, 0);
        cache.Assign(3, 100);

        Assert.Equal(0, cache.StartOf(0, logEndOffset: 150));
        Assert.Equal(100, cache.StartOf(2, logEndOffset: 150)); // epochs 1 and 2 wrote nothing here
        Assert.Equal(100, cache.StartOf(3, logEndOffset: 150));
        Assert.Equal(150, cache.StartOf(4, logEndOffset: 150));
    }

    [Fact]
    public void Loading_keeps_the_entries_inside_the_log_and_skips_malformed_lines()
    {
        File.WriteAllText(FilePath, "0 0\n2 50\nnonsense\n1 60\n5 200\n");

        var cache = LeaderEpochCache.Load(Temp.Path, logEndOffset: 150, DiskIo.Plain);

        Assert.Equal(2, cache.LatestEpoch);
        Assert.Equal((2, 150L), cache.EndOffsetFor(4, logEndOffset: 150));
        Assert.Equal((0, 50L), cache.EndOffsetFor(1, logEndOffset: 150));
    }
}
