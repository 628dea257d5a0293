using System.Text;
using Hub.Client;
using Hub.Grains;
using Hub.Groups;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// What one provider shares on a silo: its Hub client (the silo's own grain factory when co-hosted, an SDK
/// connection otherwise), one batching producer, the event codec, and the consumer group that holds delivery
/// progress.
/// </summary>
internal sealed class HubStreamConnection(string providerName, HubStreamOptions options, HubClient client, HubEventCodec codec)
{
    private readonly HashSet<string> _topics = [.. options.Topics];
    private readonly HubProducer _producer = client.CreateProducer(options.Producer);

    public string ProviderName { get; } = providerName;

    public HubStreamOptions Options { get; } = options;

    public HubClient Client { get; } = client;

    public HubEventCodec Codec { get; } = codec;

    public string Group { get; } = options.GroupFor(providerName);

    public async Task ProduceAsync<T>(StreamId streamId, IEnumerable<T> events)
    {
        var topic = Encoding.UTF8.GetString(streamId.Namespace.Span);
        if (!_topics.Contains(topic))
            throw new ArgumentException($"stream namespace '{topic}' is not a topic of Hub stream provider '{ProviderName}' ({string.Join(", ", _topics)})");
        // Issued in order, so the producer keeps them in order within the stream's partition; it batches them.
        var deliveries = events.Select(e => _producer.ProduceAsync(topic, Codec.Encode(streamId, e))).ToList();
        await Task.WhenAll(deliveries).ConfigureAwait(false);
    }

    /// <summary>The group's committed offset for the partition, or null when it has none.</summary>
    public async Task<long?> CommittedAsync(string topic, int partition, CancellationToken ct)
    {
        var offsets = await GroupGrain().FetchOffsets([new TopicPartition(topic, partition)]).WaitAsync(ct).ConfigureAwait(false);
        return offsets is [{ Exists: true } committed] ? committed.Offset : null;
    }

    /// <summary>Stores <paramref name="nextOffset"/> as the group's position (as a client outside group management).</summary>
    public Task CommitAsync(string topic, int partition, long nextOffset, CancellationToken ct) =>
        GroupGrain().CommitOffsets(new OffsetCommitRequest { Offsets = [new OffsetCommitEntry(topic, partition, nextOffset)] }).WaitAsync(ct);

    private IConsumerGroupGrain GroupGrain() => Client.Grains.GetGrain<IConsumerGroupGrain>(Group);
}
