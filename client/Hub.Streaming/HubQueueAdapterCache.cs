using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>Makes each partition's <see cref="HubQueueCache"/>.</summary>
internal sealed class HubQueueAdapterCache(HubStreamConnection connection, Func<StreamId, int?> currentPartitionOf, ILoggerFactory loggers)
    : IQueueAdapterCache
{
    public IQueueCache CreateQueueCache(QueueId queueId) =>
        new HubQueueCache(connection, HubQueueMapper.TopicOf(queueId), HubQueueMapper.PartitionOf(queueId),
            connection.Options.CacheSize, currentPartitionOf, loggers.CreateLogger<HubQueueCache>());
}
