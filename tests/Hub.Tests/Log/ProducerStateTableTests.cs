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

    /// <summary>Records the batches as an append at <paramref name="baseOffset"/> stores them.</summary>
    private static void Record(ProducerStateTable table, byte[] batches, long baseOffset)
    {
        var validated = Validated(batches);
        validated.AssignOffsets(batches.ToArray(), baseOffset, leaderEpoch: 0);
        table.Record(validated.Batches);
    }

    [Fact]
    public void In_order_batches_pass_and_a_retry_gets_its_first_offsets_back()
    {
        var table = new ProducerStateTable();
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
        var table = new ProducerStateTable();
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
        var table = new ProducerStateTable();
        Record(table, Batch(0), 0);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(2))).Code);
    }

    [Fact]
    public void An_older_epoch_is_fenced_and_a_newer_one_starts_at_zero()
    {
        var table = new ProducerStateTable();
        Record(table, Batch(0, epoch: 1), 0);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, Assert.Throws<HubException>(() => Check(table, Batch(1, epoch: 0))).Code);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, Batch(5, epoch: 2))).Code);
        Assert.Null(Check(table, Batch(0, epoch: 2)));
    }

    [Fact]
    public void A_producer_never_seen_may_start_anywhere_and_other_producers_are_independent()
    {
        var table = new ProducerStateTable();
        Assert.Null(Check(table, Batch(42)));
        Record(table, Batch(42), 0);
        Assert.Null(Check(table, Batch(0, producer: 8)));
        Assert.Null(Check(table, Batch(43)));
    }

    [Fact]
    public void Batches_without_a_producer_id_are_not_tracked()
    {
        var table = new ProducerStateTable();
        var plain = Batch(-1, producer: -1);
        Assert.Null(Check(table, plain));
        Record(table, plain, 0);
        Assert.Null(Check(table, plain));
        Assert.Equal(0, table.ProducerCount);
    }

    [Fact]
    public void Several_batches_of_one_producer_in_one_append_must_chain()
    {
        var table = new ProducerStateTable();
        var chained = Batch(0, records: 2).Concat(Batch(2)).ToArray();
        Assert.Null(Check(table, chained));
        Record(table, chained, 10);
        Assert.Equal((12L, 12L), Check(table, Batch(2)));
        var broken = Batch(3).Concat(Batch(5)).ToArray();
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, Assert.Throws<HubException>(() => Check(table, broken)).Code);
    }
}
