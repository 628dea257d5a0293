using Hub.Cli.CommandLine;
using Hub.Client;
using Hub.Errors;

namespace Hub.Cli.Commands;

/// <summary>
/// One run of <c>hub deadletters replay</c>: sends each dead letter's original record (acks=all, the idempotent
/// producer keeping each partition's order), then stores, per dead-letter partition, the offset after the last
/// dead letter that was stored without a failure before it, as the group's committed offset.
/// </summary>
public sealed class DeadLetterReplay(HubClient client, string? to)
{
    private readonly HubProducer _producer = client.CreateProducer(new ProducerOptions { Acks = Acks.All, LingerMs = 5 });

    // Per dead-letter partition, the sends in offset order.
    private readonly SortedDictionary<int, List<(long Offset, Task<RecordMetadata> Sent)>> _sent = new();

    public long Replayed { get; private set; }

    /// <summary>Why dead letters were not replayed, one line each.</summary>
    public List<string> Failures { get; } = [];

    public void Send(int partition, long offset, DeadLetter letter)
    {
        if (!_sent.TryGetValue(partition, out var sends)) _sent[partition] = sends = [];
        var target = to ?? letter.SourceTopic;
        var record = letter.ToOriginal();
        // Back to the partition it came from, unless sent elsewhere, where its key picks the partition.
        if (to is null && letter.SourcePartition is { } source) record = record with { Partition = source };
        sends.Add((offset, target is null
            ? Task.FromException<RecordMetadata>(new CliException($"dead letter {partition}@{offset} names no source topic; give --to"))
            : _producer.ProduceAsync(target, record)));
    }

    /// <summary>Waits for every send and commits each partition's progress up to its first failure.</summary>
    public async Task FinishAsync(string groupId, string topic)
    {
        await _producer.DisposeAsync();
        foreach (var (partition, sends) in _sent)
        {
            long? next = null;
            foreach (var (offset, sent) in sends)
            {
                try
                {
                    await sent;
                    next = offset + 1;
                    Replayed++;
                }
                catch (Exception e) when (e is HubException or CliException or ArgumentException)
                {
                    Failures.Add($"{partition}@{offset}: {e.Message}");
                    break;
                }
            }
            if (next is { } done)
                await client.Admin.ResetOffsetsAsync(groupId, topic, OffsetResetTarget.ToOffset(done), [partition]);
        }
    }
}
