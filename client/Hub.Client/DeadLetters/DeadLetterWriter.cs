using System.Collections.Concurrent;
using Hub.Batches;
using Hub.Errors;

namespace Hub.Client;

/// <summary>
/// Writes dead letters for one <see cref="DeadLetterPolicy"/>: creates the dead-letter topic on first use (when
/// the policy says so) and produces each dead letter with acks=all, returning once Hub stored it, so a caller
/// that counts the event as settled only afterwards loses nothing on a crash (at least once into the topic).
/// </summary>
internal sealed class DeadLetterWriter(HubClient client, DeadLetterPolicy policy) : IAsyncDisposable
{
    // Dead letters are rare and each is awaited alone: nothing to gain from lingering for a batch.
    private readonly HubProducer _producer = client.CreateProducer(new ProducerOptions { Acks = Acks.All, LingerMs = 0 });

    // Dead-letter topics known to exist; one not yet seen is created (or found) before its first dead letter.
    private readonly ConcurrentDictionary<string, bool> _ready = new();

    public DeadLetterPolicy Policy => policy;

    /// <summary>Writes the original record (its key, value, headers and timestamp) with the headers describing <paramref name="failure"/>.</summary>
    public async Task<RecordMetadata> WriteAsync(DeadLetterFailure failure, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value,
        IEnumerable<RecordHeader> headers, long timestampMs, CancellationToken ct)
    {
        var topic = policy.TopicFor(failure.Topic);
        if (policy.CreateTopic && !_ready.ContainsKey(topic)) await CreateTopicAsync(topic, ct).ConfigureAwait(false);
        var record = new ProducerRecord
        {
            Key = key?.ToArray(),
            Value = value?.ToArray(),
            Headers = DeadLetterHeaders.For(headers, failure, timestampMs),
            TimestampMs = timestampMs,
        };
        return await _producer.ProduceAsync(topic, record, ct).ConfigureAwait(false);
    }

    private async Task CreateTopicAsync(string topic, CancellationToken ct)
    {
        try
        {
            await client.Admin.CreateTopicAsync(topic, DeadLetterPolicy.CreatedTopicPartitions, ct: ct).ConfigureAwait(false);
        }
        catch (HubException e) when (e.Code == ErrorCode.TopicAlreadyExists)
        {
            // Made earlier, by an operator or another consumer of this policy.
        }
        _ready[topic] = true;
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
