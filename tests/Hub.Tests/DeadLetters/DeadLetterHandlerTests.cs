using System.Text;
using Hub.Batches;
using Hub.Client;
using Hub.Errors;
using Hub.Partitions;
using Hub.Tests.Client;
using Hub.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Hub.Tests.Groups.GroupTesting;

namespace Hub.Tests.DeadLetters;

/// <summary>The SDK's <see cref="DeadLetterHandler"/> against in-memory grains, its backoff on a manual clock.</summary>
public sealed class DeadLetterHandlerTests : IAsyncLifetime
{
    private readonly InMemoryGrainFactory _cluster = new();
    private readonly HubClient _client;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));

    public DeadLetterHandlerTests() => _client = HubClient.FromGrainFactory(_cluster);

    public Task InitializeAsync() => _client.Admin.CreateTopicAsync("payments", 2);

    public Task DisposeAsync() => _client.DisposeAsync().AsTask();

    private static DeadLetterPolicy ThreeAttempts => new()
    {
        MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(100), BackoffMultiplier = 2, MaxBackoff = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task A_failing_record_is_retried_after_each_backoff_then_dead_lettered_with_its_record_unchanged()
    {
        await ProduceAsync(new ProducerRecord
        {
            Key = "acct-7"u8.ToArray(), Value = "pay 12"u8.ToArray(), Partition = 1, TimestampMs = 1_700_000_000_000,
            Headers = [new RecordHeader("trace", "t-9"u8.ToArray())],
        });
        await using var handler = new DeadLetterHandler(_client, ThreeAttempts, consumerGroup: "billing", subscriber: "invoicer", time: _clock);
        var attempts = 0;
        var result = await ReadOneAsync("payments", 1);

        var processing = handler.ProcessAsync(result, (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("ledger closed");
        });

        // The clock decides when the next attempt runs: 100 ms after the first failure, 200 ms after the second.
        await WaitUntilAsync(() => Volatile.Read(ref attempts) == 1, "the first attempt ran");
        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, Volatile.Read(ref attempts));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => Volatile.Read(ref attempts) == 2, "the second attempt ran 100 ms later");
        _clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(2, Volatile.Read(ref attempts));
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(DeadLetterOutcome.DeadLettered, await processing.WaitAsync(Bound));
        Assert.Equal(3, attempts);
        var letter = Assert.Single(await DeadLetterTopic.ReadAsync(_client, "payments.dlq", 1, Bound));
        Assert.Equal(("payments", 1, 0L, 3), (letter.SourceTopic, letter.SourcePartition, letter.SourceOffset, letter.Attempts));
        Assert.Equal((typeof(InvalidOperationException).FullName, "ledger closed"), (letter.ErrorType, letter.ErrorMessage));
        Assert.Equal(("billing", "invoicer"), (letter.ConsumerGroup, letter.Subscriber));
        Assert.Equal(_clock.GetUtcNow(), letter.FailedAt);
        Assert.Equal(("acct-7", "pay 12", 1_700_000_000_000L), (Text(letter.Key), Text(letter.Value), letter.TimestampMs));
        Assert.Equal([("trace", "t-9")], letter.OriginalHeaders.Select(h => (h.Key, Text(h.Value?.ToArray()))));
        Assert.Equal(DeadLetterPolicy.CreatedTopicPartitions, (await _client.Admin.DescribeTopicAsync("payments.dlq")).Metadata.PartitionCount);
    }

    [Fact]
    public async Task A_consume_loop_dead_letters_the_poison_record_and_processes_the_rest_in_order()
    {
        string[] values = ["a", "b", "poison", "c", "flaky", "d"];
        foreach (var value in values) await ProduceAsync(new ProducerRecord { Value = Encoding.UTF8.GetBytes(value), Partition = 0 });
        await using var handler = new DeadLetterHandler(_client, new DeadLetterPolicy
        {
            MaxAttempts = 3, InitialBackoff = TimeSpan.Zero, Topic = "payments-failures",
        });
        var processed = new List<string>();
        var flakyFailures = 0;
        var outcomes = new List<DeadLetterOutcome>();

        using var timeout = new CancellationTokenSource(Bound);
        await using var consumer = _client.CreateConsumer();
        await consumer.AssignAsync("payments", 0, OffsetSpec.Earliest, timeout.Token);
        await foreach (var result in consumer.ConsumeAsync(timeout.Token))
        {
            outcomes.Add(await handler.ProcessAsync(result, (r, _) =>
            {
                var value = Text(r.Record.Value?.ToArray())!;
                if (value == "poison") throw new FormatException("not a payment");
                if (value == "flaky" && ++flakyFailures < 3) throw new TimeoutException("bank slow");
                processed.Add(value);
                return Task.CompletedTask;
            }, timeout.Token));
            if (outcomes.Count == values.Length) break;
        }

        Assert.Equal(["a", "b", "c", "flaky", "d"], processed);
        Assert.Equal(DeadLetterOutcome.DeadLettered, outcomes[2]);
        Assert.All(outcomes.Where((_, i) => i != 2), o => Assert.Equal(DeadLetterOutcome.Processed, o));
        var letter = Assert.Single(await DeadLetterTopic.ReadAsync(_client, "payments-failures", 1, Bound));
        Assert.Equal(("payments", 0, 2L, 3, typeof(FormatException).FullName), (letter.SourceTopic, letter.SourcePartition, letter.SourceOffset, letter.Attempts, letter.ErrorType));
        Assert.Equal(1, await DeadLetterTopic.RecordCountAsync(_client, "payments-failures"));
    }

    [Fact]
    public async Task Without_topic_creation_a_missing_dead_letter_topic_fails_the_record_instead_of_losing_it()
    {
        await ProduceAsync(new ProducerRecord { Value = "x"u8.ToArray(), Partition = 0 });
        await using var handler = new DeadLetterHandler(_client, new DeadLetterPolicy { MaxAttempts = 1, CreateTopic = false });
        var result = await ReadOneAsync("payments", 0);

        var e = await Assert.ThrowsAsync<HubException>(() => handler.ProcessAsync(result, (_, _) => throw new InvalidOperationException("no")));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, e.Code);
    }

    [Fact]
    public async Task Cancelling_stops_the_retries_without_dead_lettering()
    {
        await ProduceAsync(new ProducerRecord { Value = "x"u8.ToArray(), Partition = 0 });
        await using var handler = new DeadLetterHandler(_client, ThreeAttempts, time: _clock);
        var result = await ReadOneAsync("payments", 0);
        using var stop = new CancellationTokenSource();
        var attempts = 0;

        var processing = handler.ProcessAsync(result, (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("down");
        }, stop.Token);
        await WaitUntilAsync(() => Volatile.Read(ref attempts) == 1, "the first attempt ran");
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => processing.WaitAsync(Bound));
        Assert.DoesNotContain(await _client.Admin.ListTopicsAsync(), t => t.Name == "payments.dlq");
    }

    private async Task ProduceAsync(ProducerRecord record)
    {
        await using var producer = _client.CreateProducer(new ProducerOptions { LingerMs = 0 });
        await producer.ProduceAsync("payments", record);
    }

    private async Task<ConsumeResult> ReadOneAsync(string topic, int partition) =>
        new(topic, partition, (await SdkValues.ReadRecordsAsync(_client, topic, partition, 1, Bound)).Single());

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
