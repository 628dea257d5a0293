using Hub.Tests.Support;
using System.Collections.Concurrent;
using Hub.Client;
using Hub.Client.Partitioning;
using Hub.Client.Producing;
using Hub.Errors;
using System.Text;
using Hub.Batches;

namespace Hub.Tests.Client;

public class RecordAccumulatorTests
{
    private const long ProducerId = 7;

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UnixEpoch); // record timestamps read as the milliseconds advanced
    private readonly RecordingSender _sender = new();
    private readonly ConcurrentQueue<(RecordMetadata? Metadata, Exception? Error)> _deliveries = new();

    [Fact]
    public async Task A_full_batch_is_sent_without_waiting_for_linger()
    {
        var (accumulator, queue) = Create(new ProducerOptions { BatchSizeBytes = 1024, LingerMs = 60_000 });
        for (var i = 0; i < 10; i++) Append(accumulator, queue, new byte[100]);

        var sent = await _sender.NextAsync();

        Assert.InRange(sent.Header.RecordCount, 1, 9);
        Assert.Equal(sent.Header.RecordCount, sent.Records().Count);
        Assert.True(sent.Bytes.Length <= 1024);
        Assert.True(sent.Bytes.Length + 100 > 1024); // closed because the next record did not fit
        Assert.True(await _sender.StaysQuietAsync()); // the rest lingers
    }

    [Fact]
    public async Task A_batch_that_is_not_full_is_sent_once_it_has_lingered()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 10 });
        Append(accumulator, queue, "a"u8.ToArray());
        _time.Advance(5);
        Append(accumulator, queue, "b"u8.ToArray());
        _time.Advance(4);

        accumulator.SendLingered();
        Assert.True(await _sender.StaysQuietAsync());

        _time.Advance(1); // linger counts from the batch's first record
        accumulator.SendLingered();
        var sent = await _sender.NextAsync();

        Assert.Equal(2, sent.Header.RecordCount);
    }

    [Fact]
    public async Task Each_record_is_reported_at_the_base_offset_plus_its_index()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0, MaxInFlightPerPartition = 1 }, partitions: 3, partition: 2);
        _time.Advance(1_000);
        Append(accumulator, queue, "a"u8.ToArray());
        var sent = await _sender.NextAsync();
        Append(accumulator, queue, "b"u8.ToArray(), timestampMs: 7);
        Append(accumulator, queue, "c"u8.ToArray());

        sent.Acknowledge(100);
        var second = await _sender.NextAsync();
        second.Acknowledge(101);
        await accumulator.FlushAsync(CancellationToken.None);

        Assert.Equal(
            [new RecordMetadata("topic", 2, 100, 1_000), new RecordMetadata("topic", 2, 101, 7), new RecordMetadata("topic", 2, 102, 1_000)],
            _deliveries.Select(d => d.Metadata));
        Assert.All(_deliveries, d => Assert.Null(d.Error));
    }

    [Fact]
    public async Task A_batch_whose_send_timed_out_keeps_its_bytes_from_later_batches()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0 });
        Append(accumulator, queue, "first"u8.ToArray());
        var first = await _sender.NextAsync();
        // A timed-out grain call may still be queued in Orleans with these bytes, to be sent later.
        first.Reply.SetException(new TimeoutException("the response timed out"));
        (await RetriedAsync(accumulator)).Acknowledge(0);
        await accumulator.FlushAsync(CancellationToken.None);

        for (var i = 0; i < 4; i++)
        {
            Append(accumulator, queue, "a later record"u8.ToArray());
            (await _sender.NextAsync()).Acknowledge(i);
        }

        Assert.Equal(first.Bytes, first.Memory.ToArray());
    }

    [Fact]
    public async Task With_one_batch_in_flight_the_next_fills_until_the_first_is_acknowledged()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0, MaxInFlightPerPartition = 1 });
        Append(accumulator, queue, "first"u8.ToArray());
        var first = await _sender.NextAsync();
        for (var i = 0; i < 5; i++) Append(accumulator, queue, "more"u8.ToArray());

        Assert.True(await _sender.StaysQuietAsync());
        first.Acknowledge(0);
        var second = await _sender.NextAsync();

        Assert.Equal(1, first.Header.RecordCount);
        Assert.Equal(5, second.Header.RecordCount);
    }

    [Fact]
    public async Task More_batches_may_be_in_flight_when_allowed()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0, MaxInFlightPerPartition = 2, EnableIdempotence = false });
        Append(accumulator, queue, "a"u8.ToArray());
        Append(accumulator, queue, "b"u8.ToArray());
        Append(accumulator, queue, "c"u8.ToArray());

        var first = await _sender.NextAsync();
        var second = await _sender.NextAsync();

        Assert.Equal(1, first.Header.RecordCount);
        Assert.Equal(1, second.Header.RecordCount);
        Assert.True(await _sender.StaysQuietAsync());
        first.Acknowledge(0);
        Assert.Equal(1, (await _sender.NextAsync()).Header.RecordCount);
    }

    [Fact]
    public async Task A_refused_batch_fails_its_records_and_the_partition_goes_on()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0, MaxInFlightPerPartition = 1 });
        Append(accumulator, queue, "a"u8.ToArray());
        var first = await _sender.NextAsync();
        Append(accumulator, queue, "b"u8.ToArray());
        Append(accumulator, queue, "c"u8.ToArray());
        first.Reply.SetException(new HubException(ErrorCode.MessageTooLarge, "too big"));

        var second = await _sender.NextAsync();
        second.Acknowledge(0);
        await accumulator.FlushAsync(CancellationToken.None);

        var outcomes = _deliveries.ToArray();
        Assert.Equal(ErrorCode.MessageTooLarge, Assert.IsType<HubException>(outcomes[0].Error).Code);
        Assert.Null(outcomes[0].Metadata);
        Assert.Equal([0L, 1], outcomes[1..].Select(o => o.Metadata!.Value.Offset));
    }

    [Fact]
    public async Task Without_acks_records_are_done_once_sent_with_no_offset()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0, Acks = Acks.None });
        Append(accumulator, queue, "a"u8.ToArray());
        var sent = await _sender.NextAsync();

        await WaitUntil(() => !_deliveries.IsEmpty);
        Assert.Equal(-1, Assert.Single(_deliveries).Metadata!.Value.Offset);

        sent.Reply.SetException(new HubException(ErrorCode.NotEnoughReplicas, "unseen")); // acks=0 never reports errors
        await accumulator.FlushAsync(CancellationToken.None);
        Assert.Single(_deliveries);
    }

    [Fact]
    public async Task Flush_sends_without_lingering_and_waits_for_the_acknowledgement()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 60_000 });
        Append(accumulator, queue, "a"u8.ToArray());

        var flush = accumulator.FlushAsync(CancellationToken.None);
        var sent = await _sender.NextAsync();
        Assert.False(flush.IsCompleted);
        sent.Acknowledge(0);
        await flush;

        Assert.Single(_deliveries);
    }

    [Fact]
    public async Task Buffered_bytes_count_against_the_budget_until_acknowledged()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 60_000, BufferMemoryBytes = 300 });
        Append(accumulator, queue, new byte[100]);
        Assert.False(accumulator.Budget.IsExhausted);
        Append(accumulator, queue, new byte[100]);
        Append(accumulator, queue, new byte[100]);
        Assert.True(accumulator.Budget.IsExhausted);

        var flush = accumulator.FlushAsync(CancellationToken.None);
        (await _sender.NextAsync()).Acknowledge(0);
        await flush;

        Assert.Equal(0, accumulator.Budget.UsedBytes);
    }

    [Fact]
    public async Task Sticky_partitioning_moves_on_when_the_partitions_batch_is_sent()
    {
        var sticky = new StickyPartitioner();
        var (accumulator, topic) = CreateTopic(new ProducerOptions { LingerMs = 10 }, partitions: 4, sticky);
        var chosen = sticky.NextPartition(4);
        Append(accumulator, topic.Partitions![chosen], "a"u8.ToArray());
        Assert.Equal(chosen, sticky.NextPartition(4));

        _time.Advance(10);
        accumulator.SendLingered();
        await _sender.NextAsync();

        Assert.NotEqual(chosen, sticky.NextPartition(4));
    }

    [Fact]
    public async Task A_batch_size_below_one_record_sends_one_record_per_batch()
    {
        var (accumulator, queue) = Create(new ProducerOptions { BatchSizeBytes = 1, LingerMs = 60_000, EnableIdempotence = false });
        for (var i = 0; i < 3; i++) Append(accumulator, queue, "record"u8.ToArray());

        Assert.Equal(1, (await _sender.NextAsync()).Header.RecordCount);
        Assert.Equal(1, (await _sender.NextAsync()).Header.RecordCount);
        Assert.True(await _sender.StaysQuietAsync()); // the third waits for a fourth record or linger
    }

    [Fact]
    public async Task Batches_carry_the_producer_id_and_consecutive_sequences()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0 });
        Append(accumulator, queue, "a"u8.ToArray());
        var first = await _sender.NextAsync();
        first.Acknowledge(0);
        Append(accumulator, queue, "b"u8.ToArray());
        var second = await _sender.NextAsync();

        Assert.Equal((ProducerId, (short)0, 0), (first.Header.ProducerId, first.Header.ProducerEpoch, first.Header.BaseSequence));
        Assert.Equal((ProducerId, (short)0, 1), (second.Header.ProducerId, second.Header.ProducerEpoch, second.Header.BaseSequence));
    }

    [Fact]
    public async Task A_failed_batch_goes_again_with_the_same_bytes_before_the_batches_behind_it()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0 });
        await StoreFirstBatchAsync(accumulator, queue);
        var sent = new List<SentBatch>();
        foreach (var value in new[] { "a", "b", "c", "d" })
        {
            Append(accumulator, queue, Encoding.UTF8.GetBytes(value));
            sent.Add(await _sender.NextAsync());
        }
        sent[0].Refuse(ErrorCode.NotLeaderOrFollower);
        foreach (var behind in sent.Skip(1)) behind.Refuse(ErrorCode.OutOfOrderSequenceNumber); // the partition has not stored their predecessor

        foreach (var expected in sent)
        {
            var retried = await (expected == sent[0] ? RetriedAsync(accumulator) : _sender.NextAsync());
            Assert.Equal(expected.Bytes, retried.Bytes);
            Assert.True(await _sender.StaysQuietAsync()); // one at a time, oldest first
            retried.Acknowledge(1 + sent.IndexOf(expected));
        }
        await accumulator.FlushAsync(CancellationToken.None);
        Append(accumulator, queue, "e"u8.ToArray());
        var next = await _sender.NextAsync();

        Assert.Equal([0L, 1, 2, 3, 4], _deliveries.Select(d => d.Metadata!.Value.Offset));
        Assert.Equal(((short)0, 5), (next.Header.ProducerEpoch, next.Header.BaseSequence));
        next.Acknowledge(5);
    }

    [Fact]
    public async Task The_first_batch_of_an_epoch_goes_alone()
    {
        // Until the partition stored one of its batches it takes any sequence from this producer: a batch that
        // overtook a refused first one would be stored ahead of it.
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0 });
        Append(accumulator, queue, "a"u8.ToArray());
        var first = await _sender.NextAsync();
        Append(accumulator, queue, "b"u8.ToArray());

        Assert.True(await _sender.StaysQuietAsync());
        first.Acknowledge(0);
        Assert.Equal(1, (await _sender.NextAsync()).Header.BaseSequence);
    }

    [Fact]
    public async Task Outcomes_are_reported_in_the_partitions_order_whatever_order_answers_come_in()
    {
        var (accumulator, queue, first, second) = await TwoInFlightAsync();

        second.Acknowledge(2);
        await Task.Delay(100); // asserts an absence: a report would be made on a pool thread by now
        Assert.Single(_deliveries);
        first.Acknowledge(1);
        await accumulator.FlushAsync(CancellationToken.None);

        Assert.Equal([0L, 1, 2], _deliveries.Select(d => d.Metadata!.Value.Offset));
    }

    [Fact]
    public async Task A_sequence_refused_for_the_only_unfinished_batch_goes_again_in_a_new_epoch()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0 });
        Append(accumulator, queue, "a"u8.ToArray());
        var first = await _sender.NextAsync();
        first.Refuse(ErrorCode.UnknownProducerId); // the partition lost this producer's state (KIP-360)

        var again = await _sender.NextAsync();
        again.Acknowledge(0);
        await accumulator.FlushAsync(CancellationToken.None);

        Assert.Equal((ProducerId, (short)1, 0), (again.Header.ProducerId, again.Header.ProducerEpoch, again.Header.BaseSequence));
        Assert.Equal(first.Bytes[RecordBatchLayout.HeaderSize..], again.Bytes[RecordBatchLayout.HeaderSize..]); // the same records
        Assert.Equal(0, Assert.Single(_deliveries).Metadata!.Value.Offset);
    }

    [Fact]
    public async Task A_refusal_made_before_the_batch_ahead_was_stored_sends_the_batch_again_unchanged()
    {
        // The partition refused the second batch just before storing the first (answers settle in any order).
        var (_, _, first, second) = await TwoInFlightAsync();
        first.Acknowledge(1);
        await WaitUntil(() => _deliveries.Count == 2);
        second.Refuse(ErrorCode.OutOfOrderSequenceNumber);

        var again = await _sender.NextAsync();
        again.Acknowledge(2);

        Assert.Equal(second.Bytes, again.Bytes); // not a new epoch: nothing was lost
        await WaitUntil(() => _deliveries.Count == 3);
        Assert.Equal([0L, 1, 2], _deliveries.Select(d => d.Metadata!.Value.Offset));
    }

    [Fact]
    public async Task A_duplicate_sequence_counts_as_stored()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0 });
        Append(accumulator, queue, "a"u8.ToArray());
        (await _sender.NextAsync()).Refuse(ErrorCode.DuplicateSequenceNumber);
        await accumulator.FlushAsync(CancellationToken.None);

        Assert.Equal((-1L, (Exception?)null), (Assert.Single(_deliveries).Metadata!.Value.Offset, _deliveries.Single().Error));
    }

    [Fact]
    public async Task A_batch_failed_with_others_in_flight_fails_those_refused_behind_it_and_the_next_start_a_new_epoch()
    {
        var (accumulator, queue, first, second) = await TwoInFlightAsync();
        first.Refuse(ErrorCode.MessageTooLarge);
        await WaitUntil(() => _deliveries.Count == 2); // settled first: else the second would go again, to be refused again
        second.Refuse(ErrorCode.OutOfOrderSequenceNumber); // behind a sequence that will never be stored
        await accumulator.FlushAsync(CancellationToken.None);

        Append(accumulator, queue, "c"u8.ToArray());
        var third = await _sender.NextAsync();
        third.Acknowledge(1);
        await accumulator.FlushAsync(CancellationToken.None);

        Assert.Equal(
            [ErrorCode.MessageTooLarge, ErrorCode.OutOfOrderSequenceNumber],
            _deliveries.Skip(1).Take(2).Select(d => Assert.IsType<HubException>(d.Error).Code));
        Assert.Equal(((short)1, 0), (third.Header.ProducerEpoch, third.Header.BaseSequence));
    }

    [Fact]
    public async Task Without_idempotence_batches_carry_no_producer()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0, EnableIdempotence = false });
        Append(accumulator, queue, "a"u8.ToArray());
        var sent = await _sender.NextAsync();

        Assert.Equal((-1L, (short)-1, -1), (sent.Header.ProducerId, sent.Header.ProducerEpoch, sent.Header.BaseSequence));
    }

    /// <summary>An idempotent partition that stored a first batch at offset 0, then two one-record batches in flight, unanswered.</summary>
    private async Task<(RecordAccumulator, PartitionQueue, SentBatch First, SentBatch Second)> TwoInFlightAsync()
    {
        var (accumulator, queue) = Create(new ProducerOptions { LingerMs = 0 });
        await StoreFirstBatchAsync(accumulator, queue);
        Append(accumulator, queue, "a"u8.ToArray());
        var first = await _sender.NextAsync();
        Append(accumulator, queue, "b"u8.ToArray());
        return (accumulator, queue, first, await _sender.NextAsync());
    }

    /// <summary>Sends one record and stores it at offset 0, so the partition knows the producer and later batches may overlap.</summary>
    private async Task StoreFirstBatchAsync(RecordAccumulator accumulator, PartitionQueue queue)
    {
        Append(accumulator, queue, "first"u8.ToArray());
        (await _sender.NextAsync()).Acknowledge(0);
        await accumulator.FlushAsync(CancellationToken.None);
    }

    /// <summary>The next batch sent once retry pauses pass: the clock moves on and the producer's timer ticks until one goes out.</summary>
    private async Task<SentBatch> RetriedAsync(RecordAccumulator accumulator)
    {
        for (var tick = 0; tick < 500; tick++) // a failure is settled on a pool thread: bounded, a few seconds at most
        {
            _time.Advance(100);
            accumulator.SendLingered();
            if (_sender.TryNext(out var sent)) return sent;
            await Task.Delay(10);
        }
        throw new TimeoutException("nothing was sent again");
    }

    private (RecordAccumulator, PartitionQueue) Create(ProducerOptions options, int partitions = 1, int partition = 0)
    {
        var (accumulator, topic) = CreateTopic(options, partitions, new StickyPartitioner());
        return (accumulator, topic.Partitions![partition]);
    }

    private (RecordAccumulator, ProducerTopic) CreateTopic(ProducerOptions options, int partitions, INullKeyPartitioner partitioner)
    {
        var accumulator = new RecordAccumulator(options.Validated(), _sender.SendAsync, new ProducerIdentity(() => Task.FromResult(new ProducerIdAndEpoch(ProducerId, 0))), _time);
        var topic = new ProducerTopic("topic", partitioner);
        topic.Open(partitions, accumulator.CreateQueue, (_, _, _, _) => { });
        return (accumulator, topic);
    }

    private void Append(RecordAccumulator accumulator, PartitionQueue queue, byte[] value, long? timestampMs = null)
    {
        var delivery = new PendingDelivery(timestampMs ?? _time.GetUtcNow().ToUnixTimeMilliseconds(),
            (metadata, error) => _deliveries.Enqueue((metadata, error)), completion: null);
        accumulator.Append(queue, new ProducerRecord { Value = value }, delivery);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 1_000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
