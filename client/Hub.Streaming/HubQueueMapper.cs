using System.Text;
using Hub.Client.Partitioning;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// One Orleans queue per partition of each topic the provider serves: queue name = topic, numeric id =
/// partition. A stream (namespace = topic, key = record key) maps to the partition Kafka's partitioner picks
/// for its key, so a stream's events stay in one partition, in order. Queue hashes are spread evenly over the
/// ring so the consistent-ring balancer shares partitions fairly among silos.
/// </summary>
internal sealed class HubQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly Dictionary<string, QueueId[]> _queuesByTopic;
    private readonly QueueId[] _all;

    public HubQueueMapper(IReadOnlyDictionary<string, int> partitionsByTopic)
    {
        var total = partitionsByTopic.Values.Sum();
        var spacing = (ulong)uint.MaxValue / (ulong)Math.Max(total, 1);
        var index = 0UL;
        _queuesByTopic = partitionsByTopic.ToDictionary(
            t => t.Key,
            t => Enumerable.Range(0, t.Value).Select(p => QueueId.GetQueueId(t.Key, (uint)p, (uint)(index++ * spacing))).ToArray());
        _all = [.. _queuesByTopic.Values.SelectMany(q => q)];
    }

    public IEnumerable<QueueId> GetAllQueues() => _all;

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => _all.Where(q => range.InRange(q.GetUniformHashCode()));

    public QueueId GetQueueForStream(StreamId streamId)
    {
        var topic = Encoding.UTF8.GetString(streamId.Namespace.Span);
        if (!_queuesByTopic.TryGetValue(topic, out var queues))
            throw new ArgumentException($"stream namespace '{topic}' is not one of this provider's topics ({string.Join(", ", _queuesByTopic.Keys)})");
        return queues[KeyPartitioner.PartitionFor(streamId.Key.Span, queues.Length)];
    }

    public static string TopicOf(QueueId queue) => queue.GetStringNamePrefix();

    public static int PartitionOf(QueueId queue) => (int)queue.GetNumericId();
}
