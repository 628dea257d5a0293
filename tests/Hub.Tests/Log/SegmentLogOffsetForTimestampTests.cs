using Hub.Batches;
using Hub.Errors;
using Hub.Partitions;

namespace Hub.Tests.Log;

public sealed class SegmentLogOffsetForTimestampTests : IDisposable
{
    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    [Fact]
    public void Earliest_and_latest_are_the_log_bounds()
    {
        using var log = _bed.Open(LogTestBed.Config with { RetentionBytes = 0, SegmentBytes = 200 });
        for (var i = 0; i < 5; i++) log.Append(TestBatches.OfValueSize(i, 100));
        log.EnforceRetention();

        Assert.Equal(new OffsetAndTimestamp(4, -1), log.OffsetForTimestamp(OffsetSpec.Earliest));
        Assert.Equal(new OffsetAndTimestamp(5, -1), log.OffsetForTimestamp(OffsetSpec.Latest));
    }

    [Fact]
    public void Finds_the_exact_record_inside_a_batch()
    {
        using var log = _bed.Open();
        log.Append(TestBatches.Build((100, "a"), (110, "b")));
        log.Append(TestBatches.Build((200, "c"), (250, "d"), (240, "e"), (300, "f")));

        Assert.Equal(new OffsetAndTimestamp(0, 100), log.OffsetForTimestamp(0));
        Assert.Equal(new OffsetAndTimestamp(1, 110), log.OffsetForTimestamp(105));
        Assert.Equal(new OffsetAndTimestamp(2, 200), log.OffsetForTimestamp(111));
        Assert.Equal(new OffsetAndTimestamp(3, 250), log.OffsetForTimestamp(240));
        Assert.Equal(new OffsetAndTimestamp(5, 300), log.OffsetForTimestamp(251));
        Assert.Equal(new OffsetAndTimestamp(-1, -1), log.OffsetForTimestamp(301));
    }

    [Fact]
    public void Uses_the_time_index_across_segments_and_after_reopen()
    {
        var config = LogTestBed.Config with { SegmentBytes = 64 * 1024 };
        using (var log = _bed.Open(config))
        {
            for (var i = 0; i < 3000; i++) log.Append(TestBatches.Build((10L * i, "x"), (10L * i + 5, "y")));
            Assert.True(log.SegmentCount > 2);
            AssertTimestampLookups(log);
        }
        using var reopened = _bed.Open(config);
        AssertTimestampLookups(reopened);
    }

    private static void AssertTimestampLookups(Hub.Silo.Log.SegmentLog log)
    {
        for (var i = 0; i < 3000; i += 37)
        {
            Assert.Equal(new OffsetAndTimestamp(2L * i, 10L * i), log.OffsetForTimestamp(10L * i));
            Assert.Equal(new OffsetAndTimestamp(2L * i + 1, 10L * i + 5), log.OffsetForTimestamp(10L * i + 1));
        }
        Assert.Equal(new OffsetAndTimestamp(-1, -1), log.OffsetForTimestamp(30_000));
    }

    [Fact]
    public void Finds_the_exact_record_inside_a_compressed_batch()
    {
        using var log = _bed.Open();
        log.Append(TestBatches.Compress(TestBatches.Build((100, "a"), (110, "b")), CompressionType.Zstd));
        log.Append(TestBatches.Compress(TestBatches.Build((200, "c"), (250, "d"), (240, "e"), (300, "f")), CompressionType.Gzip));

        Assert.Equal(new OffsetAndTimestamp(1, 110), log.OffsetForTimestamp(105));
        Assert.Equal(new OffsetAndTimestamp(3, 250), log.OffsetForTimestamp(240));
        Assert.Equal(new OffsetAndTimestamp(5, 300), log.OffsetForTimestamp(251));
    }

    [Fact]
    public void Max_timestamp_is_the_first_record_carrying_the_largest_timestamp()
    {
        var config = LogTestBed.Config with { SegmentBytes = 64 * 1024 };
        using var log = _bed.Open(config);
        Assert.Equal(new OffsetAndTimestamp(-1, -1), log.OffsetForTimestamp(OffsetSpec.MaxTimestamp));

        // The largest timestamp sits mid-batch in an early segment (later records are older, as producers may
        // set), and again in a later segment, where it doesn't count: the first one wins, as in Kafka.
        log.Append(TestBatches.Build((100, "a"), (110, "b")));
        log.Append(TestBatches.Compress(TestBatches.Build((200, "c"), (900, "max"), (240, "e"), (900, "tie")), CompressionType.Lz4));
        for (var i = 0; i < 3000; i++) log.Append(TestBatches.Build((300 + i % 500, "x"), (301, "y")));
        log.Append(TestBatches.Build((900, "later tie")));
        Assert.True(log.SegmentCount > 2);

        Assert.Equal(new OffsetAndTimestamp(3, 900), log.OffsetForTimestamp(OffsetSpec.MaxTimestamp));
        log.Append(TestBatches.Build((50, "old"), (901, "new max")));
        Assert.Equal(new OffsetAndTimestamp(log.LogEndOffset - 1, 901), log.OffsetForTimestamp(OffsetSpec.MaxTimestamp));
    }

    [Fact]
    public void Unknown_negative_spec_is_rejected()
    {
        using var log = _bed.Open();

        Assert.Equal(ErrorCode.InvalidRequest, Assert.Throws<HubException>(() => log.OffsetForTimestamp(-4)).Code);
    }
}
