using Hub.Batches;
using Hub.Errors;
using Hub.Silo.Log;

namespace Hub.Tests.Log;

/// <summary>What <see cref="RecordBatchValidator"/> hands the append, so it never reads a batch header twice.</summary>
public sealed class ValidatedBatchesTests
{
    private readonly ValidatedBatches _validated = new();

    [Fact]
    public void Validation_reports_each_batch_position_header_and_the_record_count()
    {
        var first = TestBatches.Build((5, "a"), (9, "b"));
        var second = TestBatches.Build(7, "c", "d", "e");
        var append = TestBatches.Concat(first, second);

        RecordBatchValidator.Validate(append, int.MaxValue, _validated);

        Assert.Equal(2, _validated.Count);
        Assert.Equal(5, _validated.RecordCount);
        Assert.Equal(0, _validated.Batches[0].Position);
        Assert.Equal(first.Length, _validated.Batches[1].Position);
        Assert.Equal(9, _validated.Batches[0].Header.MaxTimestamp);
        Assert.Equal(3, _validated.Batches[1].Header.RecordCount);
        Assert.Equal(second.Length, _validated.Batches[1].Header.TotalSize);
    }

    [Fact]
    public void Assigned_offsets_and_epoch_land_in_the_bytes_and_the_headers_and_the_crc_still_holds()
    {
        var append = TestBatches.Concat(TestBatches.Build(1, "a", "b"), TestBatches.Build(1, "c"));
        RecordBatchValidator.Validate(append, int.MaxValue, _validated);

        _validated.AssignOffsets(append, baseOffset: 40, leaderEpoch: 3);

        Assert.Equal(42, _validated.LastOffset);
        foreach (var batch in _validated.Batches)
        {
            RecordBatchHeader.TryRead(append.AsSpan(batch.Position), out var stored);
            Assert.Equal(batch.Header, stored);
            Assert.Equal(3, stored.PartitionLeaderEpoch);
            Assert.Equal(stored.Crc, RecordBatchHeader.ComputeCrc(append.AsSpan(batch.Position, stored.TotalSize)));
        }
        Assert.Equal([40L, 42L], _validated.Batches.ToArray().Select(b => b.Header.BaseOffset));
    }

    [Fact]
    public void A_new_validation_starts_from_nothing_even_after_a_refused_one()
    {
        var many = TestBatches.Concat(Enumerable.Range(0, 40).Select(i => TestBatches.Build(1, $"{i}")).ToArray());
        RecordBatchValidator.Validate(many, int.MaxValue, _validated);
        Assert.Equal(40, _validated.Count);
        Assert.Throws<HubException>(() => RecordBatchValidator.Validate(TestBatches.Build(1, "a")[..^1], int.MaxValue, _validated));

        RecordBatchValidator.Validate(TestBatches.Build(1, "x"), int.MaxValue, _validated);

        Assert.Equal(1, _validated.Count);
        Assert.Equal(1, _validated.RecordCount);
    }

    [Fact]
    public void Replicated_batches_must_not_overlap_the_log_and_keep_their_crc()
    {
        var append = TestBatches.Concat(TestBatches.Build(1, "a", "b"), TestBatches.Build(1, "c"));
        RecordBatchValidator.Validate(append, int.MaxValue, _validated);
        _validated.AssignOffsets(append, baseOffset: 10, leaderEpoch: 2);

        RecordBatchValidator.ValidateReplicated(append, logEndOffset: 10, _validated);
        Assert.Equal(2, _validated.Count);
        Assert.Equal(12, _validated.LastOffset);

        // A gap is what a compacted leader's log has where its cleaner removed records; an overlap is never right.
        RecordBatchValidator.ValidateReplicated(append, logEndOffset: 9, _validated);
        var overlap = Assert.Throws<HubException>(() => RecordBatchValidator.ValidateReplicated(append, logEndOffset: 11, _validated));
        Assert.Equal(ErrorCode.OffsetOutOfRange, overlap.Code);
        append[^1] ^= 1;
        var damaged = Assert.Throws<HubException>(() => RecordBatchValidator.ValidateReplicated(append, logEndOffset: 10, _validated));
        Assert.Equal(ErrorCode.CorruptMessage, damaged.Code);
    }
}
