using Hub.Batches;
using Hub.Errors;
using Hub.Silo.Cleaner;
using Hub.Silo.Log;
using Hub.Tests.Kafka;
using Hub.Tests.Log;
using Hub.Topics;

namespace Hub.Tests.Cleaner;

/// <summary>The cleaner on real segment files: what it keeps, what it drops, and that the log reads and reopens right after.</summary>
public sealed class LogCompactionTests : IDisposable
{
    /// <summary>Compacted, with segments small enough that each test batch (~80 bytes) closes one.</summary>
    private static readonly TopicConfig Compacted = LogTestBed.Config with { CleanupPolicy = "compact", SegmentBytes = 100 };

    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private long Now => _bed.Clock.NowMs;

    [Fact]
    public void Cleaning_keeps_the_newest_record_per_key_at_its_offset_and_the_log_reopens_the_same()
    {
        List<(long, string, string?)> cleaned;
        using (var log = _bed.Open(Compacted))
        {
            log.Append(KeyedLog.Batch(Now, ("k1", "a"), ("k2", "a")));
            log.Append(KeyedLog.Batch(Now, ("k1", "b")));
            log.Append(KeyedLog.Batch(Now, CompressionType.Lz4, ("k3", "a"), ("k2", "b"), ("k3", "b")));
            log.Append(KeyedLog.Batch(Now, ("k1", "c")));
            log.Append(KeyedLog.Batch(Now, ("k4", "active")));
            var before = KeyedLog.Latest(log);
            var size = log.SizeBytes;

            Assert.True(KeyedLog.Clean(log, _bed.Clock));

            cleaned = KeyedLog.Records(log);
            Assert.Equal([(4L, "k2", "b"), (5L, "k3", "b"), (6L, "k1", "c"), (7L, "k4", "active")], cleaned);
            Assert.Equal(before, KeyedLog.Latest(log));
            Assert.Equal((0L, 8L, 7L), (log.LogStartOffset, log.LogEndOffset, log.CleanedUpTo));
            Assert.True(log.SizeBytes < size);
            Assert.False(KeyedLog.Clean(log, _bed.Clock)); // nothing dirty is left
        }
        _bed.Logger.Entries.Clear();
        using (var reopened = _bed.Open(Compacted))
        {
            Assert.Equal(cleaned, KeyedLog.Records(reopened));
            Assert.Equal(7, reopened.CleanedUpTo);
            // The rewritten segments' indexes were rebuilt at the swap and written, so this open trusts them.
            Assert.DoesNotContain(_bed.Logger.Entries, e => e.Message.Contains("Rebuilding", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_emptied_batch_that_ends_a_rewritten_segment_stays_so_the_segments_stay_contiguous()
    {
        using (var log = _bed.Open(Compacted))
        {
            log.Append(KeyedLog.Batch(Now, ("k", "a"), ("x", "a")));
            log.Append(KeyedLog.Batch(Now, ("k", "b"), ("x", "b")));
            log.Append(KeyedLog.Batch(Now, ("z", "active")));

            Assert.True(KeyedLog.Clean(log, _bed.Clock));

            var headers = TestBatches.Split(log.Read(0, 1 << 20).Memory).Select(b => (b.Header.BaseOffset, b.Header.LastOffset, b.Header.RecordCount));
            Assert.Equal([(0L, 1L, 0), (2L, 3L, 2), (4L, 4L, 1)], headers);
        }
        using var reopened = _bed.Open(Compacted);
        Assert.Equal([(2L, "k", "b"), (3L, "x", "b"), (4L, "z", "active")], KeyedLog.Records(reopened));
    }

    [Fact]
    public void A_tombstone_stays_until_delete_retention_ms_after_the_cleaner_first_passed_it()
    {
        using var log = _bed.Open(Compacted with { DeleteRetentionMs = 60_000 });
        log.Append(KeyedLog.Batch(Now, ("k", "a")));
        log.Append(KeyedLog.Batch(Now, ("k", null), ("other", "a")));
        log.Append(KeyedLog.Batch(Now, ("more", "a")));

        Assert.True(KeyedLog.Clean(log, _bed.Clock));
        Assert.Equal([(1L, "k", null), (2L, "other", "a"), (3L, "more", "a")], KeyedLog.Records(log));

        _bed.Clock.Advance(TimeSpan.FromSeconds(59));
        log.Append(KeyedLog.Batch(Now, ("more", "b")));
        Assert.True(KeyedLog.Clean(log, _bed.Clock));
        Assert.Contains((1L, "k", (string?)null), KeyedLog.Records(log));

        _bed.Clock.Advance(TimeSpan.FromSeconds(1));
        log.Append(KeyedLog.Batch(Now, ("more", "c")));
        Assert.True(KeyedLog.Clean(log, _bed.Clock));
        Assert.Equal([(2L, "other", "a"), (4L, "more", "b"), (5L, "more", "c")], KeyedLog.Records(log));
    }

    [Fact]
    public void A_committed_transactions_records_are_compacted_like_any_and_its_marker_is_kept()
    {
        using var log = _bed.Open(Compacted);
        log.Append(KeyedLog.Batch(Now, ("\0", "before")));                                                    // 0
        log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0, transactional: true)); // 1, key 0
        log.AppendMarker(7, 0, TransactionResult.Commit, coordinatorEpoch: 0, leaderEpoch: 0);               // 2
        log.Append(KeyedLog.Batch(Now, ("\0", "after")));                                                     // 3
        log.Append(KeyedLog.Batch(Now, ("z", "active")));

        Assert.True(KeyedLog.Clean(log, _bed.Clock, stableOffset: log.LastStableOffset(log.LogEndOffset)));

        var batches = TestBatches.Split(log.Read(0, 1 << 20).Memory).Select(b => b.Header).ToList();
        // "before" and the transaction's record were both superseded by "after"; an emptied batch stays transactional.
        Assert.DoesNotContain(batches, b => b.BaseOffset <= 1 && b.RecordCount > 0);
        Assert.All(batches.Where(b => b.BaseOffset == 1), b => Assert.True(b.IsTransactional));
        Assert.Contains(batches, b => (b.BaseOffset, b.RecordCount, b.IsControl) == (2L, 1, true));
        Assert.Contains(batches, b => (b.BaseOffset, b.RecordCount) == (3L, 1));
    }

    [Fact]
    public void A_committed_transactions_record_supersedes_an_older_one_and_an_aborted_ones_does_not()
    {
        using var log = _bed.Open(Compacted);
        log.Append(KeyedLog.Batch(Now, ("\0", "old")));                                                       // 0
        log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0, transactional: true)); // 1, key 0
        log.AppendMarker(7, 0, TransactionResult.Commit, coordinatorEpoch: 0, leaderEpoch: 0);               // 2
        log.Append(KeyedLog.Batch(Now, ("\u0001", "kept")));                                                  // 3, key 1
        log.Append(IdempotentBatches.Create(producerId: 8, epoch: 0, baseSequence: 0, records: 2, transactional: true)); // 4-5, keys 0 and 1
        log.AppendMarker(8, 0, TransactionResult.Abort, coordinatorEpoch: 0, leaderEpoch: 0);                // 6
        log.Append(KeyedLog.Batch(Now, ("z", "active")));

        Assert.True(KeyedLog.Clean(log, _bed.Clock, stableOffset: log.LastStableOffset(log.LogEndOffset)));

        var batches = TestBatches.Split(log.Read(0, 1 << 20).Memory).Select(b => b.Header).ToList();
        Assert.DoesNotContain(batches, b => b.BaseOffset == 0 && b.RecordCount > 0); // superseded by the committed record
        Assert.Contains(batches, b => (b.BaseOffset, b.RecordCount, b.IsTransactional) == (1L, 1, true));
        Assert.Contains(batches, b => (b.BaseOffset, b.RecordCount) == (3L, 1)); // the aborted record with its key superseded nothing
        Assert.DoesNotContain(batches, b => b.BaseOffset == 4 && b.RecordCount > 0);
    }

    [Fact]
    public void An_aborted_transactions_records_are_dropped_and_a_committed_ones_kept_with_both_markers()
    {
        using var log = _bed.Open(Compacted);
        log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0, transactional: true)); // 0, aborted
        log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 1, transactional: true)); // 1, aborted
        log.AppendMarker(7, 0, TransactionResult.Abort, coordinatorEpoch: 0, leaderEpoch: 0);                // 2
        log.Append(IdempotentBatches.Create(producerId: 8, epoch: 0, baseSequence: 0, transactional: true)); // 3, committed
        log.AppendMarker(8, 0, TransactionResult.Commit, coordinatorEpoch: 0, leaderEpoch: 0);               // 4
        log.Append(KeyedLog.Batch(Now, ("z", "active")));

        Assert.True(KeyedLog.Clean(log, _bed.Clock, stableOffset: log.LastStableOffset(log.LogEndOffset)));

        var batches = TestBatches.Split(log.Read(0, 1 << 20).Memory).Select(b => b.Header).ToList();
        // The aborted batches stay empty (each ends a one-batch segment here, and 1 is producer 7's last): no record left.
        Assert.Equal([(0L, 0, false), (1L, 0, false), (2L, 1, true), (3L, 1, false), (4L, 1, true), (5L, 1, false)],
            batches.Select(b => (b.BaseOffset, b.RecordCount, b.IsControl)));
    }

    [Fact]
    public void A_transaction_marker_goes_once_no_batch_of_it_is_left_and_delete_retention_ms_has_passed_and_an_aborts_index_entry_with_it()
    {
        var appending = Compacted with { DeleteRetentionMs = 60_000 };
        List<(long, string, string?)> records;
        using (var log = _bed.Open(appending))
        {
            AppendThreeTransactions(log);
            Assert.Single(log.AbortedTransactions(0, log.LogEndOffset));

            // The cleaning reads (and drops) batches 0 and 2, so their markers stay as they were.
            CleanAsOneRun(log, appending);
            Assert.Equal([(1L, (long?)null), (3L, null), (5L, null)], Markers(log));

            // Nothing of those transactions is left: their markers get delete.retention.ms. Batch 4 is left (its
            // producer's last), so its marker stays as it is.
            log.Append(KeyedLog.Batch(Now, ("z", "b")));
            CleanAsOneRun(log, appending);
            Assert.Equal([(1L, (long?)Now + 60_000), (3L, Now + 60_000), (5L, null)], Markers(log));

            _bed.Clock.Advance(TimeSpan.FromSeconds(59));
            log.Append(KeyedLog.Batch(Now, ("z", "c")));
            CleanAsOneRun(log, appending);
            Assert.Equal(3, Markers(log).Count);

            _bed.Clock.Advance(TimeSpan.FromSeconds(1));
            log.Append(KeyedLog.Batch(Now, ("z", "d")));
            CleanAsOneRun(log, appending);
            Assert.Equal([(5L, (long?)null)], Markers(log));
            Assert.Empty(log.AbortedTransactions(0, log.LogEndOffset));
            Assert.Equal(log.LogEndOffset, log.LastStableOffset(log.LogEndOffset));
            Assert.All(ProducerStateSnapshot.OffsetsIn(_bed.Directory, Hub.Silo.Storage.DiskIo.Plain), s => Assert.True(s >= log.CleanedUpTo));
            records = KeyedLog.Records(log);
            Assert.Equal([4L, 5L, 8L, 9L], records.Select(r => r.Item1)); // batch 4, its marker, and "z" up to the active segment
        }
        using var reopened = _bed.Open(appending);
        Assert.Equal([(5L, (long?)null)], Markers(reopened));
        Assert.Empty(reopened.AbortedTransactions(0, reopened.LogEndOffset));
        Assert.Equal(reopened.LogEndOffset, reopened.LastStableOffset(reopened.LogEndOffset));
        Assert.Equal(records, KeyedLog.Records(reopened));
    }

    [Fact]
    public void A_crash_in_the_swap_that_removes_an_abort_marker_leaves_the_marker_without_its_index_entry_and_nothing_to_drop()
    {
        var appending = Compacted with { DeleteRetentionMs = 60_000 };
        var log = _bed.Open(appending);
        try
        {
            AppendThreeTransactions(log);
            CleanAsOneRun(log, appending);
            log.Append(KeyedLog.Batch(Now, ("z", "b")));
            CleanAsOneRun(log, appending);
            _bed.Clock.Advance(TimeSpan.FromSeconds(60));
            log.Append(KeyedLog.Batch(Now, ("z", "c")));
            log.UpdateConfig(appending with { SegmentBytes = 1 << 20 });
            Assert.Throws<InvalidOperationException>(() => KeyedLog.Clean(log, _bed.Clock, stableOffset: log.LastStableOffset(log.LogEndOffset),
                afterStep: _ => throw new InvalidOperationException("crash")));
        }
        finally
        {
            log.Close();
        }

        using var reopened = _bed.Open(appending);
        // The swap rolled back: the markers are there, the abort's entry is not, and no batch of its transaction is left to drop.
        Assert.Equal([1L, 3L, 5L], Markers(reopened).Select(m => m.Offset));
        Assert.Empty(reopened.AbortedTransactions(0, reopened.LogEndOffset));
        Assert.DoesNotContain(KeyedLog.Records(reopened), r => r.Offset == 0);
        Assert.Equal(reopened.LogEndOffset, reopened.LastStableOffset(reopened.LogEndOffset));
        CleanAsOneRun(reopened, appending);
        Assert.Equal([5L], Markers(reopened).Select(m => m.Offset));
    }

    /// <summary>Producer 7's transactions: one aborted, one committed and then superseded, one committed and left as its last batch.</summary>
    private void AppendThreeTransactions(SegmentLog log)
    {
        log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0, transactional: true)); // 0, key 0, aborted
        log.AppendMarker(7, 0, TransactionResult.Abort, coordinatorEpoch: 0, leaderEpoch: 0);                // 1
        log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 1, transactional: true)); // 2, key 0, committed
        log.AppendMarker(7, 0, TransactionResult.Commit, coordinatorEpoch: 0, leaderEpoch: 0);               // 3
        log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 2, transactional: true)); // 4, key 0: supersedes 2
        log.AppendMarker(7, 0, TransactionResult.Commit, coordinatorEpoch: 0, leaderEpoch: 0);               // 5
        log.Append(KeyedLog.Batch(Now, ("z", "a")));                                                         // 6
    }

    /// <summary>Cleans with segment.bytes large enough that the closed segments make one run: only its last batch is kept for the run's sake.</summary>
    private void CleanAsOneRun(SegmentLog log, TopicConfig appending)
    {
        log.UpdateConfig(appending with { SegmentBytes = 1 << 20 });
        Assert.True(KeyedLog.Clean(log, _bed.Clock, stableOffset: log.LastStableOffset(log.LogEndOffset)));
        log.UpdateConfig(appending);
    }

    /// <summary>The log's transaction markers: offset and delete horizon.</summary>
    private static List<(long Offset, long? Horizon)> Markers(SegmentLog log) =>
        [.. TestBatches.Split(log.Read(log.LogStartOffset, 1 << 20).Memory).Where(b => b.Header.IsControl)
            .Select(b => (b.Header.BaseOffset, CompactionRules.DeleteHorizonOf(b.Header)))];

    [Fact]
    public void An_idempotent_producers_last_batch_is_kept_empty_so_its_retry_is_still_recognized_after_a_reopen()
    {
        using (var log = _bed.Open(Compacted with { SegmentBytes = 1000 }))
        {
            // Producer 7's only batch (key 0) is overwritten by a plain record in the same segment.
            log.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0));
            log.Append(KeyedLog.Batch(Now, ("\0", "newer")));
            log.Append(KeyedLog.Batch(Now, ("big", new string('b', 1000))));

            Assert.True(KeyedLog.Clean(log, _bed.Clock));

            var first = TestBatches.Split(log.Read(0, 1 << 20).Memory)[0].Header;
            Assert.Equal((0L, 0, 7L, 0), (first.BaseOffset, first.RecordCount, first.ProducerId, first.BaseSequence));
        }
        using var reopened = _bed.Open(Compacted with { SegmentBytes = 1000 });
        var retry = reopened.Append(IdempotentBatches.Create(producerId: 7, epoch: 0, baseSequence: 0));
        Assert.Equal((0L, -1L), (retry.BaseOffset, retry.LogAppendTimeMs));
    }

    [Fact]
    public void Nothing_at_or_past_the_stable_offset_is_cleaned()
    {
        using var log = _bed.Open(Compacted);
        log.Append(KeyedLog.Batch(Now, ("k", "a")));
        log.Append(KeyedLog.Batch(Now, ("k", "b")));
        log.Append(KeyedLog.Batch(Now, ("k", "c")));
        log.Append(KeyedLog.Batch(Now, ("z", "active")));

        // The high watermark at 2: only the first segment may be cleaned, against what the map saw below it.
        Assert.True(KeyedLog.Clean(log, _bed.Clock, stableOffset: 2));

        // "b" would have gone had the cleaner looked at "c".
        Assert.Equal(["b", "c"], KeyedLog.Records(log).Where(r => r.Key == "k").Select(r => r.Value));
        Assert.Equal(2, log.CleanedUpTo);
    }

    [Fact]
    public void A_compact_only_log_is_never_deleted_by_retention_and_compact_delete_is()
    {
        foreach (var (policy, deleted) in new[] { ("compact", 0), ("compact,delete", 2) })
        {
            using var bed = new LogTestBed();
            using var log = bed.Open(Compacted with { CleanupPolicy = policy, RetentionMs = 1000 });
            log.Append(KeyedLog.Batch(bed.Clock.NowMs, ("k", "a")));
            log.Append(KeyedLog.Batch(bed.Clock.NowMs, ("j", "a")));
            bed.Clock.Advance(TimeSpan.FromSeconds(2));

            Assert.Equal(deleted, log.EnforceRetention());
        }
    }

    [Fact]
    public void A_record_without_a_key_is_refused_by_a_compacted_log()
    {
        using var log = _bed.Open(Compacted);

        var refused = Assert.Throws<HubException>(() => log.Append(TestBatches.Build(Now, "no key")));
        Assert.Equal(ErrorCode.InvalidRecord, refused.Code);
        var compressed = TestBatches.Compress(TestBatches.Build(Now, "no key"), CompressionType.Zstd);
        Assert.Equal(ErrorCode.InvalidRecord, Assert.Throws<HubException>(() => log.Append(compressed)).Code);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void A_follower_copies_a_cleaned_log_across_its_gaps_and_reads_what_the_leader_reads()
    {
        // Two batches a segment: a segment's first batch can go altogether, leaving a gap between batches.
        using var leader = _bed.Open(Compacted with { SegmentBytes = 200 });
        for (var i = 0; i < 6; i++) leader.Append(KeyedLog.Batch(Now, ("k" + i % 2, "v" + i)));
        Assert.True(KeyedLog.Clean(leader, _bed.Clock));
        using var followerBed = new LogTestBed();
        var follower = followerBed.Open(Compacted);
        while (follower.LogEndOffset < leader.LogEndOffset)
        {
            using var fetched = leader.Read(follower.LogEndOffset, 200);
            follower.AppendReplicated(fetched.Memory);
        }
        // As after a crash: the active segment, gaps and all, is scanned on open, and must be kept whole.
        follower.Close();
        using var reopened = followerBed.Open(Compacted);

        Assert.Equal(KeyedLog.Records(leader), KeyedLog.Records(reopened));
        // A read from an offset the cleaner removed gets the next batch there is, as Kafka serves it.
        Assert.Equal(1, TestBatches.Split(leader.Read(0, 1 << 20).Memory)[0].Header.BaseOffset);
    }

    private static byte[] WithBaseOffset(byte[] batch, long offset)
    {
        var copy = batch.ToArray();
        RecordBatchHeader.WriteBaseOffset(copy, offset);
        RecordBatchHeader.WriteLeaderEpoch(copy, 0);
        return copy;
    }
}
