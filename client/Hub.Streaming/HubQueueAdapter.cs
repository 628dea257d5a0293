using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>Produces stream events into Hub and makes a receiver per partition for the pulling agents.</summary>
/// <param name="addedAtRuntime">Whether a queue's partition was added to its topic after the provider started.</param>
internal sealed class HubQueueAdapter(HubStreamConnection connection, Func<QueueId, bool> addedAtRuntime, ILoggerFactory loggers) : IQueueAdapter
{
    public string Name => connection.ProviderName;

    public bool IsRewindable => true;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
            throw new ArgumentException("Hub assigns every record its offset: events cannot be produced at a given sequence token", nameof(token));
        return connection.ProduceAsync(streamId, events);
    }

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new HubQueueReceiver(connection, HubQueueMapper.TopicOf(queueId), HubQueueMapper.PartitionOf(queueId), addedAtRuntime(queueId),
            loggers.CreateLogger<HubQueueReceiver>());
}
