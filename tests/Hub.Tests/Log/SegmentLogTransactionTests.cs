using Hub.Batches;
using Hub.Errors;
using Hub.Partitions;
using Hub.Silo.Log;
using Hub.Tests.Kafka;

namespace Hub.Tests.Log;

/// <summary>
/// A log's side of transactions: open transactions bound the last stable offset, markers close them, aborted ones are
/// indexed for read_committed fetches, and all of it survives a restart, a cut tail and replication to a follower.
/// </summary>
public sealed class SegmentLogTransactionTests : IDisposable
{
    private readonly LogTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static byte[] Transactional(long producer, int sequence, int records = 1) =>
        IdempotentBatches.Create(producer, 0, sequence, records, transactional: true);

    [Fact]
    public void An_open_transaction_holds_the_last_stable_offset_at_its_first_record_until_its_marker_is_below_the_high_watermark()
    {
        using var log = _bed.Open();
        log.Append(TestBatches.Build(1, "plain"));                // 0, no transaction
        log.Append(Transactional(producer: 7, sequence: 0));      // 1, producer 7's transaction starts
        log.Append(Transactional(producer: 8, sequence: 0, 2));   // 2-3, producer 8's
        log.Append(Transactional(producer: 7, sequence: 1));      // 4
        Assert.Equal(1, log.LastStableOffset(highWatermark: 5));
        Assert.Equal(0, log.LastStableOffset(highWatermark: 0));

        var marker = log.AppendMarker(7, 0, TransactionResult.Commit, coordinatorEpoch: 0, leaderEpoch: 0); // 5
        Assert.Equal(5, marker.BaseOffset);
        Assert.Equal(1, log.LastStableOffset(highWatermark: 5)); // the marker is not replicated yet
        Assert.Equal(2, log.LastStableOffset(highWatermark: 6)); // producer 8's transaction is still open
        log.AppendMarker(8, 0, TransactionResult.Abort, 0, 0);   // 6
        Assert.Equal(7, log.LastStableOffset(highWatermark: 7));
        Assert.Equal([new AbortedTransaction(8, 2, 6)], log.AbortedTransactions(0, 7));
        Assert.Empty(log.AbortedTransactions(7, 8));   // after the marker
        Assert.Empty(log.AbortedTransactions(0, 2));   // before the first record
    }

    [Fact]
    public void A_marker_from_an_older_epoch_is_refused_and_a_bumped_one_restarts_the_producers_sequences()
    {
        using var log = _bed.Open();
        log.Append(IdempotentBatches.Create(7, epoch: 1, baseSequence: 0, records: 1, transactional: true));
        Assert.Equal(ErrorCode.InvalidProducerEpoch,
            Assert.Throws<HubException>(() => log.AppendMarker(7, 0, TransactionResult.Abort, 0, 0)).Code);

        // The coordinator aborts with a bumped epoch (a timeout): the producer's next epoch starts at sequence 0.
        log.AppendMarker(7, 2, TransactionResult.Abort, 0, 0);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Assert.Throws<HubException>(() => log.Append(IdempotentBatches.Create(7, 1, 1))).Code);
        log.Append(IdempotentBatches.Create(7, epoch: 3, baseSequence: 0));
        Assert.Equal(3, log.LogEndOffset);
    }

    [Fact]
    public void Open_and_aborted_transactions_survive_a_restart_with_or_without_a_snapshot()
    {
        using (var log = _bed.Open())
        {
            log.Append(Transactional(7, 0));                 // 0
            log.AppendMarker(7, 0, TransactionResult.Abort, 0, 0); // 1
            log.Append(Transactional(8, 0));                 // 2, open at the restart
        }
        using (var reopened = _bed.Open())
        {
            Assert.Equal(2, reopened.LastStableOffset(highWatermark: 3));
            Assert.Equal([new AbortedTransaction(7, 0, 1)], reopened.AbortedTransactions(0, 3));
            reopened.AppendMarker(8, 0, TransactionResult.Abort, 0, 0); // 3
        }
        // A crash loses the snapshot written at close: the replay of the log finds the same.
        foreach (var snapshot in Directory.GetFiles(_bed.Directory, "*" + SegmentFileName.SnapshotExtension)) File.Delete(snapshot);
        File.Delete(Path.Combine(_bed.Directory, AbortedTransactionIndex.FileName));
        using var replayed = _bed.Open();
        Assert.Equal(4, replayed.LastStableOffset(highWatermark: 4));
        Assert.Equal([new AbortedTransaction(7, 0, 1), new AbortedTransaction(8, 2, 3)], replayed.AbortedTransactions(0, 4));
    }

    [Fact]
    public void Sequences_of_a_batch_in_a_transaction_ended_since_are_refused_not_answered_as_a_duplicate()
    {
        // Fault run seed 653874934: a batch was stored but its answer lost; the producer aborted, and its next
        // transaction's batch came with the same sequence. Answered as a duplicate, it was dropped and the commit lost it.
        using var log = _bed.Open();
        log.Append(Transactional(7, 0));                       // 0
        Assert.Equal(0, log.Append(Transactional(7, 0)).BaseOffset); // a retry in the same transaction: the first answer
        log.AppendMarker(7, 0, TransactionResult.Abort, 0, 0); // 1

        var reused = Assert.Throws<HubException>(() => log.Append(Transactional(7, 0)));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, reused.Code);
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(2, log.Append(Transactional(7, 1)).BaseOffset); // the next sequence goes on as before
    }

    [Fact]
    public void Cutting_a_tail_that_held_the_marker_reopens_the_transaction()
    {
        using var log = _bed.Open();
        log.Append(Transactional(7, 0));                       // 0
        log.AppendMarker(7, 0, TransactionResult.Abort, 0, 0); // 1
        log.TruncateTo(1);

        Assert.Equal(0, log.LastStableOffset(highWatermark: 1));
        Assert.Empty(log.AbortedTransactions(0, 2));
    }

    [Fact]
    public void A_follower_copying_the_leaders_log_tracks_the_same_transactions()
    {
        using var leader = _bed.Open();
        leader.Append(Transactional(7, 0));
        leader.AppendMarker(7, 0, TransactionResult.Abort, 0, 0);
        leader.Append(Transactional(8, 0));

        using var follower = _bed.Open(directory: Path.Combine(_bed.Directory, "..", "follower"));
        using (var copied = leader.Read(0, int.MaxValue)) follower.AppendReplicated(copied.Memory);

        Assert.Equal(leader.AbortedTransactions(0, 3), follower.AbortedTransactions(0, 3));
        Assert.Equal(2, follower.LastStableOffset(highWatermark: 3));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_follower_that_cut_an_aborted_tail_and_copied_the_leaders_log_keeps_no_stale_aborted_transaction(bool crashedBeforeTheCut)
    {
        // Fault run seed 101: an isolated leader stored a transaction's record and its abort marker that no other replica
        // had; the new leader wrote the producer's abort (no transaction open there) and its next, committed transaction.
        using var leader = _bed.Open();
        leader.Append(IdempotentBatches.Create(7, epoch: 2, baseSequence: 0, transactional: true)); // 0
        leader.AppendMarker(7, 2, TransactionResult.Commit, 0, 0);                                  // 1
        var followerDirectory = Path.Combine(_bed.Directory, "..", "follower");
        var follower = _bed.Open(directory: followerDirectory);
        using (var copied = leader.Read(0, int.MaxValue)) follower.AppendReplicated(copied.Memory);
        follower.Append(IdempotentBatches.Create(7, epoch: 2, baseSequence: 1, transactional: true), leaderEpoch: 1); // 2, only here
        follower.AppendMarker(7, 3, TransactionResult.Abort, 0, leaderEpoch: 1);                                   // 3, only here
        Assert.Equal([new AbortedTransaction(7, 2, 3)], follower.AbortedTransactions(0, 4));
        follower.Dispose();
        if (crashedBeforeTheCut)
        {
            // A crash loses the snapshot written at close.
            foreach (var snapshot in Directory.GetFiles(followerDirectory, "*" + SegmentFileName.SnapshotExtension)) File.Delete(snapshot);
        }
        follower = _bed.Open(directory: followerDirectory);

        leader.AppendMarker(7, 3, TransactionResult.Abort, 0, leaderEpoch: 2);                          // 2, nothing open here
        leader.Append(IdempotentBatches.Create(7, epoch: 4, baseSequence: 0, transactional: true), 2);  // 3
        leader.AppendMarker(7, 4, TransactionResult.Commit, 0, leaderEpoch: 2);                         // 4
        follower.TruncateTo(2);
        using (var copied = leader.Read(2, int.MaxValue)) follower.AppendReplicated(copied.Memory);

        Assert.Empty(leader.AbortedTransactions(0, 5));
        Assert.Empty(follower.AbortedTransactions(0, 5));
        follower.Dispose();
        using var reopened = _bed.Open(directory: followerDirectory);
        Assert.Empty(reopened.AbortedTransactions(0, 5));
    }
}
