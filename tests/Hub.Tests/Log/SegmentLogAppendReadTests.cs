using Hub.Batches;
using Hub.Errors;

namespace Hub.Tests.Log;

public sealed class SegmentLogAppendReadTests : IDisposable
{
    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Appended_batch_reads_back_with_its_offsets_assigned()
    {
        using var log = _bed.Open();
        var batch = TestBatches.Build(1000, "a", "b", "c");

        var result = log.Append(batch.ToArray(), leaderEpoch: 7);

        Assert.Equal((0L, 2L, 0L), (result.BaseOffset, result.LastOffset, result.LogStartOffset));
        Assert.Equal(-1, result.LogAppendTimeMs); // a CreateTime topic: the producer's timestamps stand
        Assert.Equal(3, log.LogEndOffset);
        var read = log.Read(0, 1 << 20).Memory;
        var stored = Assert.Single(TestBatches.Split(read));
        Assert.Equal(7, stored.Header.PartitionLeaderEpoch);
        Assert.Equal(batch.AsSpan(RecordBatchLayout.Magic).ToArray(), stored.Bytes.AsSpan(RecordBatchLayout.Magic).ToArray());
        Assert.Equal([(0L, 1000L, "a"), (1L, 1000L, "b"), (2L, 1000L, "c")], TestBatches.Records(read));
    }

    [Fact]
    public void Offsets_continue_across_appends_and_across_batches_of_one_append()
    {
        using var log = _bed.Open();

        var first = log.Append(TestBatches.Build(1, "a", "b"));
        var second = log.Append(TestBatches.Concat(TestBatches.Build(2, "c"), TestBatches.Build(3, "d", "e", "f"), TestBatches.Build(4, "g")));

        Assert.Equal((0L, 1L), (first.BaseOffset, first.LastOffset));
        Assert.Equal((2L, 6L), (second.BaseOffset, second.LastOffset));
        var read = log.Read(0, 1 << 20).Memory;
        Assert.Equal([0L, 2, 3, 6], TestBatches.Split(read).Select(b => b.Header.BaseOffset));
        Assert.Equal("abcdefg", string.Concat(TestBatches.Records(read).Select(r => r.Value)));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), TestBatches.Records(read).Select(r => r.Offset));
    }

    [Fact]
    public void Read_from_the_middle_of_a_batch_starts_with_that_batch()
    {
        using var log = _bed.Open();
        log.Append(TestBatches.Build(1, "a", "b"));
        log.Append(TestBatches.Build(1, "c", "d", "e"));

        var read = TestBatches.Split(log.Read(3, 1 << 20).Memory);

        Assert.Equal(2, Assert.Single(read).Header.BaseOffset);
    }

    [Fact]
    public void Read_returns_whole_batches_within_max_bytes()
    {
        using var log = _bed.Open();
        var batches = Enumerable.Range(0, 5).Select(_ => TestBatches.OfValueSize(1, 100)).ToArray();
        foreach (var batch in batches) log.Append(batch);
        var size = batches[0].Length;

        Assert.Equal(2 * size, log.Read(0, 3 * size - 1).Memory.Length);
        Assert.Equal(3 * size, log.Read(0, 3 * size).Memory.Length);
        Assert.Equal(2 * size, log.Read(3, 1 << 20).Memory.Length);
    }

    [Fact]
    public void Read_returns_the_first_batch_even_when_it_is_larger_than_max_bytes()
    {
        using var log = _bed.Open();
        var big = TestBatches.OfValueSize(1, 10_000);
        log.Append(big);
        log.Append(TestBatches.OfValueSize(1, 10));

        var read = TestBatches.Split(log.Read(0, 100).Memory);

        Assert.Equal(big.Length, Assert.Single(read).Bytes.Length);
    }

    [Fact]
    public void Read_without_a_whole_first_batch_returns_nothing_when_the_first_batch_is_larger_than_max_bytes()
    {
        using var log = _bed.Open();
        var big = TestBatches.OfValueSize(1, 10_000);
        log.Append(big);

        Assert.True(log.Read(0, 100, wholeFirstBatch: false).Memory.IsEmpty);
        Assert.True(log.Read(0, 0, wholeFirstBatch: false).Memory.IsEmpty);
        Assert.Equal(big.Length, log.Read(0, big.Length, wholeFirstBatch: false).Memory.Length);
    }

    [Fact]
    public void Read_stops_before_batches_at_or_past_max_offset()
    {
        using var log = _bed.Open();
        log.Append(TestBatches.Build(1, "a", "b"));
        log.Append(TestBatches.Build(1, "c"));
        log.Append(TestBatches.Build(1, "d"));

        Assert.Equal([0L, 2], TestBatches.Split(log.Read(0, 1 << 20, maxOffset: 3).Memory).Select(b => b.Header.BaseOffset));
        Assert.True(log.Read(3, 1 << 20, maxOffset: 3).Memory.IsEmpty);
    }

    [Fact]
    public void Read_at_the_log_end_is_empty_and_past_it_is_out_of_range()
    {
        using var log = _bed.Open();
        Assert.True(log.Read(0, 100).Memory.IsEmpty);
        log.Append(TestBatches.Build(1, "a"));

        Assert.True(log.Read(1, 100).Memory.IsEmpty);
        var error = Assert.Throws<HubException>(() => log.Read(2, 100).Memory);
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Code);
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<HubException>(() => log.Read(-1, 100).Memory).Code);
    }

    [Fact]
    public void Size_and_segment_count_reflect_appends()
    {
        using var log = _bed.Open();
        var batch = TestBatches.Build(1, "a", "b");

        log.Append(batch.ToArray());
        log.Append(batch.ToArray());

        Assert.Equal(2 * batch.Length, log.SizeBytes);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(0, log.LogStartOffset);
    }
}
