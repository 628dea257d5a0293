using Hub.Client;

namespace Hub.Streaming;

/// <summary>
/// One provider's dead-letter writer on this silo. It gets the provider's Hub client when Orleans creates the
/// provider's adapter (every silo of the application does, at start), and writes a dead letter from the original
/// record, read back from Hub at the event's offset: the event a grain received may be a deserialized object,
/// while the dead letter keeps the record's own key, value, headers and timestamp.
/// </summary>
internal sealed class HubStreamDeadLetters(string providerName, DeadLetterPolicy policy, TimeProvider time)
{
    /// <summary>Longest wait for reading the original record back and writing its dead letter.</summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);

    private HubClient? _client;
    private DeadLetterWriter? _writer;
    private string? _group;

    public DeadLetterPolicy Policy => policy;

    public void Attach(HubClient client, string group)
    {
        _client = client;
        _writer = new DeadLetterWriter(client, policy);
        _group = group;
    }

    /// <summary>Writes the dead letter of the record at <paramref name="offset"/>; returns once Hub stored it (acks=all).</summary>
    public async Task WriteAsync(string topic, int partition, long offset, int? attempts, Exception error, string subscriber)
    {
        var (client, writer) = _client is not null && _writer is not null ? (_client, _writer) : throw new InvalidOperationException($"Hub stream provider '{providerName}' dead-letters before Orleans created its adapter");
        using var timeout = new CancellationTokenSource(WriteTimeout);
        var failure = new DeadLetterFailure(topic, partition, offset, attempts, error, _group, subscriber, time.GetUtcNow());
        await using var consumer = client.CreateConsumer();
        await consumer.AssignAsync(topic, partition, offset, timeout.Token).ConfigureAwait(false);
        await foreach (var result in consumer.ConsumeAsync(timeout.Token).ConfigureAwait(false))
        {
            var record = result.Record;
            if (record.Offset != offset)
                throw new InvalidOperationException($"cannot dead-letter {topic}/{partition}@{offset}: the record is no longer in Hub (read {record.Offset})");
            await writer.WriteAsync(failure, record.Key, record.Value, record.DecodeHeaders(), record.Timestamp, timeout.Token).ConfigureAwait(false);
            return;
        }
    }
}
