using Hub.Batches;
using Hub.Errors;
using Hub.Silo.Log;
using Hub.Topics;

namespace Hub.Tests.Log;

/// <summary>
/// message.timestamp.type and the timestamp bounds, as Kafka's leader applies them: a LogAppendTime topic stamps
/// each batch with its append time (attribute bit and max timestamp, CRC recomputed, records untouched) and says so
/// in the append's result; a CreateTime topic refuses a record whose timestamp is out of its bounds.
/// </summary>
public sealed class SegmentLogTimestampTests : IDisposable
{
    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static readonly TopicConfig LogAppendTime = LogTestBed.Config with { MessageTimestampType = TopicConfig.LogAppendTime };

    [Fact]
    public void A_LogAppendTime_topic_stamps_each_batch_with_the_append_time_and_leaves_the_records_as_sent()
    {
        using var log = _bed.Open(LogAppendTime);
        var sent = TestBatches.Concat(TestBatches.Build([(1_000, "a"), (1_005, "b")]), TestBatches.Build(2_000, "c"));

        var result = log.Append(sent.ToArray());

        Assert.Equal(_bed.Clock.NowMs, result.LogAppendTimeMs);
        var stored = TestBatches.Split(log.Read(0, 1 << 20).Memory);
        var original = TestBatches.Split(sent);
        Assert.Equal(2, stored.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            var (header, bytes) = stored[i];
            Assert.NotEqual(0, header.Attributes & RecordBatchLayout.TimestampTypeLogAppendTime);
            Assert.Equal(_bed.Clock.NowMs, header.MaxTimestamp);
            Assert.Equal(original[i].Header.BaseTimestamp, header.BaseTimestamp);
            Assert.Equal(RecordBatchHeader.ComputeCrc(bytes), header.Crc);
            Assert.Equal(original[i].Bytes[RecordBatchLayout.HeaderSize..], bytes[RecordBatchLayout.HeaderSize..]);
        }
        // Read as Kafka's clients read it: every record has the append time.
        Assert.All(TestBatches.Records(log.Read(0, 1 << 20).Memory), r => Assert.Equal(_bed.Clock.NowMs, r.Timestamp));
    }

    [Fact]
    public void A_follower_keeps_the_leaders_stamp()
    {
        using var leader = _bed.Open(LogAppendTime);
        using var follower = _bed.Open(LogAppendTime, Path.Combine(_bed.Directory, "..", "follower"));
        leader.Append(TestBatches.Build(1_000, "a"));
        var copied = leader.Read(0, 1 << 20).Memory.ToArray();

        _bed.Clock.Advance(5_000);
        follower.AppendReplicated(copied);

        Assert.Equal(copied, follower.Read(0, 1 << 20).Memory.ToArray());
    }

    [Fact]
    public void A_CreateTime_topic_keeps_the_producers_timestamps_and_answers_no_append_time()
    {
        using var log = _bed.Open();

        var result = log.Append(TestBatches.Build(1_000, "a"));

        Assert.Equal(-1, result.LogAppendTimeMs);
        var (header, _) = Assert.Single(TestBatches.Split(log.Read(0, 1 << 20).Memory));
        Assert.Equal((0, 1_000L), (header.Attributes & RecordBatchLayout.TimestampTypeLogAppendTime, header.MaxTimestamp));
    }

    [Fact]
    public void Switching_to_LogAppendTime_stamps_later_batches_only()
    {
        using var log = _bed.Open();
        log.Append(TestBatches.Build(1_000, "before"));

        log.UpdateConfig(LogAppendTime);
        _bed.Clock.Advance(1_000);
        log.Append(TestBatches.Build(1_000, "after"));

        Assert.Equal([(0L, 1_000L, "before"), (1L, _bed.Clock.NowMs, "after")], TestBatches.Records(log.Read(0, 1 << 20).Memory));
    }

    [Fact]
    public void A_record_older_than_before_max_ms_or_newer_than_after_max_ms_is_invalid_timestamp_and_nothing_is_stored()
    {
        using var log = _bed.Open(LogTestBed.Config with { MessageTimestampBeforeMaxMs = 60_000, MessageTimestampAfterMaxMs = 1_000 });
        var now = _bed.Clock.NowMs;

        var late = Assert.Throws<HubException>(() => log.Append(TestBatches.Build([(now, "fine"), (now - 60_001, "too old")])));
        var early = Assert.Throws<HubException>(() => log.Append(TestBatches.Build(now + 1_001, "too new")));

        Assert.Equal((ErrorCode.InvalidTimestamp, ErrorCode.InvalidTimestamp), (late.Code, early.Code));
        Assert.Contains($"timestamp {now - 60_001} of record 1 is out of range", late.Message);
        Assert.Equal(0, log.LogEndOffset);
        log.Append(TestBatches.Build([(now - 60_000, "oldest allowed"), (now + 1_000, "newest allowed"), (-1, "no timestamp")]));
        Assert.Equal(3, log.LogEndOffset);
    }

    [Fact]
    public void A_LogAppendTime_topic_checks_no_bounds()
    {
        using var log = _bed.Open(LogAppendTime with { MessageTimestampBeforeMaxMs = 0, MessageTimestampAfterMaxMs = 0 });

        log.Append(TestBatches.Build(1_000, "long ago"));

        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public async Task The_bounds_hold_for_compressed_batches_checked_before_the_append()
    {
        var config = LogTestBed.Config with { MessageTimestampBeforeMaxMs = 1_000 };
        var now = _bed.Clock.NowMs;
        var gzip = TestBatches.Compress(TestBatches.Build([(now, "fine"), (now - 5_000, "too old")]), CompressionType.Gzip);

        var refused = await Assert.ThrowsAsync<HubException>(() => new AppendPreparation().PrepareAsync(gzip, config, now));

        Assert.Equal(ErrorCode.InvalidTimestamp, refused.Code);
    }
}
