using Hub.Batches;
using Hub.Errors;
using Hub.Silo.Log;
using Hub.Tests.Kafka;

namespace Hub.Tests.Log;

/// <summary>Idempotent-producer sequence checks, as Kafka's broker makes them per partition.</summary>
public sealed class ProducerStateTableTests
{
    private static byte[] Batch(int sequence, int records = 1, short epoch = 0, long producer = 7) =>
        IdempotentBatches.Create(producer, epoch, sequence, records);

    private static ValidatedBatches Validated(byte[] batches)
    {
        var validated = new ValidatedBatches();
        RecordBatchValidator.Validate(batches, int.MaxValue, validated);
        return validated;
    }

    private static (long BaseOffset, long LastOffset)? Check(ProducerStateTable table, byte[] batches) => table.Check(Validated(batches));

    /// <summary>Records the batches as an append at <paramref name="baseOffset"/> stores them, at <paramref name="appendMs"/>.</summary>
    private static void Record(ProducerStateTable table, byte[] batches, long baseOffset, long appendMs = 0)
    {
        var validated = Validated(batches);
        validated.AssignOffsets(batches.ToArray(), baseOffset, leaderEpoch: 0);
        foreach (ref readonly var batch in validated.Batches) table.Record(batch.Header, appendMs);
    }

    [Fact]
    public void In_order_batches_pass_and_a_retry_gets_its_first_offsets_back()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        var first = Batch(0, records: 3);
        Assert.Null(Check(table, first));
        Record(table, first, baseOffset: 100);
        var second = Batch(3, records: 2);
        Assert.Null(Check(table, second));
        Record(table, second, baseOffset: 103);

        Assert.Equal((100L, 102L), Check(table, first));
        Assert.Equal((103L, 104L), Check(table, second));
    }

    [Fact]
    public void Only_the_last_five_batches_are_remembered()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        for (var i = 0; i < 6; i++)
        {
            var batch = Batch(i);
            Assert.Null(Check(table, batch));
            Record(table, batch, i);
        }
        Assert.Equal((5L, 5L), Check(table, Batch(5)));
        Assert.Equal((1L, 1L), Check(table, Batch(1)));
        // The oldest fell out: it is now just a sequence out of order.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(0))).Code);
    }

    [Fact]
    public void A_gap_in_the_sequence_is_out_of_order()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Record(table, Batch(0), 0);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(2))).Code);
    }

    [Fact]
    public void An_older_epoch_is_fenced_and_a_newer_one_starts_at_zero()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Record(table, Batch(0, epoch: 1), 0);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Assert.Throws<HubException>(() => Check(table, Batch(1, epoch: 0))).Code);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(5, epoch: 2))).Code);
        Assert.Null(Check(table, Batch(0, epoch: 2)));
    }

    [Fact]
    public void A_producer_never_seen_may_start_anywhere_and_other_producers_are_independent()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Assert.Null(Check(table, Batch(42)));
        Record(table, Batch(42), 0);
        Assert.Null(Check(table, Batch(0, producer: 8)));
        Assert.Null(Check(table, Batch(43)));
    }

    [Fact]
    public void Batches_without_a_producer_id_are_not_tracked()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        var plain = Batch(-1, producer: -1);
        Assert.Null(Check(table, plain));
        Record(table, plain, 0);
        Assert.Null(Check(table, plain));
        Assert.Equal(0, table.ProducerCount);
    }

    [Fact]
    public void Several_batches_of_one_producer_in_one_append_must_chain()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        var chained = Batch(0, records: 2).Concat(Batch(2)).ToArray();
        Assert.Null(Check(table, chained));
        Record(table, chained, 10);
        Assert.Equal((12L, 12L), Check(table, Batch(2)));
        var broken = Batch(3).Concat(Batch(5)).ToArray();
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, broken)).Code);
    }

    [Fact]
    public void A_batch_with_a_known_first_sequence_but_another_range_is_never_answered_with_the_earlier_offsets()
    {
        // What a second client on a reused producer id sends: the same id, epoch and first sequence, other records.
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Record(table, Batch(0, records: 3), 100);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(0, records: 2))).Code);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(0, records: 4))).Code);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(1, records: 2))).Code);
        Assert.Equal((100L, 102L), Check(table, Batch(0, records: 3)));
    }

    [Fact]
    public void A_repeated_sequence_range_is_a_duplicate_only_in_the_epoch_that_stored_it()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Record(table, Batch(0, epoch: 0), 10);
        // The same range under a newer epoch is new data from a re-initialized producer: stored, not acknowledged as batch 10.
        Assert.Null(Check(table, Batch(0, epoch: 1)));
        Record(table, Batch(0, epoch: 1), 11);
        Assert.Equal((11L, 11L), Check(table, Batch(0, epoch: 1)));
        // And the old epoch's retry is fenced, not answered with either batch's offsets.
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Assert.Throws<HubException>(() => Check(table, Batch(0, epoch: 0))).Code);
    }

    [Fact]
    public void A_retry_of_any_of_the_last_five_batches_gets_that_batchs_own_offsets()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        for (var i = 0; i < ProducerStateTable.CachedBatches; i++) Record(table, Batch(i * 2, records: 2), 100 + i * 10);
        for (var i = 0; i < ProducerStateTable.CachedBatches; i++)
            Assert.Equal((100L + i * 10, 101L + i * 10), Check(table, Batch(i * 2, records: 2)));
    }

    [Fact]
    public void Producers_idle_for_the_expiration_time_are_dropped_and_others_kept()
    {
        var table = new ProducerStateTable(TimeSpan.FromMinutes(10));
        Record(table, Batch(0, producer: 1), 0, appendMs: 1_000);
        Record(table, Batch(0, producer: 2), 1, appendMs: 1_000);
        Record(table, Batch(1, producer: 2), 2, appendMs: 300_000);

        Assert.Equal(0, table.RemoveExpired(1_000 + 600_000 - 1));
        Assert.Equal(1, table.RemoveExpired(1_000 + 600_000));

        Assert.Equal([2L], table.Producers().Select(p => p.ProducerId));
        // Forgotten: producer 1 is new again, so its next batch may start anywhere.
        Assert.Null(Check(table, Batch(7, producer: 1)));
    }

    [Fact]
    public void Loading_a_snapshot_keeps_every_batch_and_leaves_out_expired_producers()
    {
        var table = new ProducerStateTable(TimeSpan.FromMinutes(10));
        table.Load(
        [
            new ProducerState(1, 3, LastAppendMs: 0, [new ProducerBatch(0, 1, 50, 51), new ProducerBatch(2, 2, 60, 60)]),
            new ProducerState(2, 0, LastAppendMs: 500_000, [new ProducerBatch(0, 0, 70, 70)]),
        ], nowMs: 600_000);

        Assert.Equal(1, table.ProducerCount);
        Assert.Equal((70L, 70L), Check(table, Batch(0, producer: 2)));
        Assert.Null(Check(table, Batch(1, producer: 2)));
    }

    [Fact]
    public void A_batch_past_a_gap_in_the_current_epoch_is_ahead_of_the_stored_ones_and_nothing_else_is()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Assert.False(table.IsAheadOfStored(Header(Batch(5)))); // an unknown producer may start anywhere
        Record(table, Batch(0, records: 3), baseOffset: 0);

        Assert.True(table.IsAheadOfStored(Header(Batch(4))));
        Assert.True(table.IsAheadOfStored(Header(Batch(1_000_000))));
        Assert.False(table.IsAheadOfStored(Header(Batch(3)))); // next in line: not a gap
        Assert.False(table.IsAheadOfStored(Header(Batch(1)))); // behind
        Assert.False(table.IsAheadOfStored(Header(Batch(4, epoch: 1)))); // another epoch starts at 0 or is fenced
        Assert.False(table.IsAheadOfStored(Header(Batch(4, producer: 8))));
    }

    [Fact]
    public void A_producers_last_offset_is_where_its_newest_batch_ends()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Assert.Equal(-1, table.LastOffsetOf(7));
        Record(table, Batch(0, records: 3), baseOffset: 10);
        Record(table, Batch(3, records: 2), baseOffset: 40);
        Assert.Equal(41, table.LastOffsetOf(7));
        Assert.Equal(-1, table.LastOffsetOf(8));
    }

    [Fact]
    public void Ahead_counts_across_the_sequence_wrap_around()
    {
        var table = new ProducerStateTable(ProducerStateTable.DefaultExpiration);
        Record(table, Batch(int.MaxValue - 1, records: 1), baseOffset: 0); // next: int.MaxValue, then 0
        Assert.True(table.IsAheadOfStored(Header(Batch(0))));
        Assert.True(table.IsAheadOfStored(Header(Batch(10))));
        Assert.False(table.IsAheadOfStored(Header(Batch(int.MaxValue))));
        Assert.False(table.IsAheadOfStored(Header(Batch(int.MaxValue - 5))));
    }

    private static RecordBatchHeader Header(byte[] batch)
    {
        Assert.True(RecordBatchHeader.TryRead(batch, out var header));
        return header;
    }
}
