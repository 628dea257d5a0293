using Hub.Silo.Log;
using Hub.Silo.Storage;
using Hub.Tests.Support;

namespace Hub.Tests.Log;

/// <summary>The offset and time indexes, on <see cref="SparseIndex{TEntry}"/>: their lookups and their files (Kafka's layout, which existing data has).</summary>
public sealed class SparseIndexTests : TempDirectoryTests
{

    [Fact]
    public void Offset_index_finds_the_last_batch_at_or_before_an_offset()
    {
        var index = new OffsetIndex();
        Assert.Equal(0, index.PositionAtOrBefore(5));
        index.Add(new(10, 4100));
        index.Add(new(20, 8200));
        index.Add(new(30, 12300));

        Assert.Equal(0, index.PositionAtOrBefore(9));
        Assert.Equal(4100, index.PositionAtOrBefore(10));
        Assert.Equal(8200, index.PositionAtOrBefore(29));
        Assert.Equal(12300, index.PositionAtOrBefore(int.MaxValue));
    }

    [Fact]
    public void Time_index_finds_the_last_entry_strictly_older_than_a_timestamp()
    {
        var index = new TimeIndex();
        index.Add(new(100, 0));
        index.Add(new(200, 7));
        index.Add(new(200, 9));
        index.Add(new(300, 12));

        Assert.Equal(0, index.RelativeOffsetBefore(long.MinValue));
        Assert.Equal(0, index.RelativeOffsetBefore(100));
        Assert.Equal(0, index.RelativeOffsetBefore(200));
        Assert.Equal(9, index.RelativeOffsetBefore(201));
        Assert.Equal(12, index.RelativeOffsetBefore(long.MaxValue));
    }

    [Fact]
    public void Offset_index_file_is_big_endian_int32_pairs_and_reads_back()
    {
        var index = new OffsetIndex();
        index.Add(new(1, 4096));
        index.Add(new(0x01020304, 0x0A0B0C0D));
        index.WriteTo(PathOf("a.index"), DiskIo.Plain);

        Assert.Equal([0, 0, 0, 1, 0, 0, 0x10, 0, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D], File.ReadAllBytes(PathOf("a.index")));
        var loaded = OffsetIndex.TryLoad(PathOf("a.index"), logSize: 0x0A0B0C0E);
        Assert.NotNull(loaded);
        Assert.Equal(2, loaded.Count);
        Assert.Equal(new OffsetIndex.Entry(0x01020304, 0x0A0B0C0D), loaded.Last);
    }

    [Fact]
    public void Time_index_file_is_big_endian_int64_int32_pairs_and_reads_back()
    {
        var index = new TimeIndex();
        index.Add(new(0x0102030405060708, 3));
        index.WriteTo(PathOf("a.timeindex"), DiskIo.Plain);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 3], File.ReadAllBytes(PathOf("a.timeindex")));
        Assert.Equal(new TimeIndex.Entry(0x0102030405060708, 3), TimeIndex.TryLoad(PathOf("a.timeindex"))!.Last);
    }

    [Fact]
    public void Index_files_that_are_missing_ragged_or_out_of_order_are_refused()
    {
        Assert.Null(OffsetIndex.TryLoad(PathOf("missing.index"), 100));
        File.WriteAllBytes(PathOf("ragged.index"), new byte[7]);
        Assert.Null(OffsetIndex.TryLoad(PathOf("ragged.index"), 100));

        var unordered = new OffsetIndex();
        unordered.Add(new(5, 100));
        unordered.Add(new(6, 100)); // positions must grow too
        unordered.WriteTo(PathOf("unordered.index"), DiskIo.Plain);
        Assert.Null(OffsetIndex.TryLoad(PathOf("unordered.index"), 1000));

        var backwards = new TimeIndex();
        backwards.Add(new(200, 1));
        backwards.Add(new(100, 2));
        backwards.WriteTo(PathOf("backwards.timeindex"), DiskIo.Plain);
        Assert.Null(TimeIndex.TryLoad(PathOf("backwards.timeindex")));

        var negative = new TimeIndex();
        negative.Add(new(100, -1));
        negative.WriteTo(PathOf("negative.timeindex"), DiskIo.Plain);
        Assert.Null(TimeIndex.TryLoad(PathOf("negative.timeindex")));
    }

    [Fact]
    public void Offset_index_pointing_past_the_log_is_refused()
    {
        var index = new OffsetIndex();
        index.Add(new(1, 4096));
        index.WriteTo(PathOf("a.index"), DiskIo.Plain);

        Assert.Null(OffsetIndex.TryLoad(PathOf("a.index"), logSize: 4096));
        Assert.NotNull(OffsetIndex.TryLoad(PathOf("a.index"), logSize: 4097));
    }

    [Fact]
    public void An_empty_index_file_is_an_empty_index()
    {
        new OffsetIndex().WriteTo(PathOf("empty.index"), DiskIo.Plain);
        Assert.Equal(0, OffsetIndex.TryLoad(PathOf("empty.index"), 0)!.Count);
        Assert.Equal(0, new FileInfo(PathOf("empty.index")).Length);
    }
}
