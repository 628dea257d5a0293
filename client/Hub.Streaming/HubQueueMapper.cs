using System.IO.Hashing;
using System.Text;
using Hub.Client.Partitioning;
using Orleans.Streams;

namespace Hub.Streaming;

/// <summary>
/// One Orleans queue per partition of each topic the provider serves: queue name = topic, numeric id =
/// partition. A stream (namespace = topic, key = record key) maps to the partition Kafka's partitioner picks
/// for its key, so a stream's events stay in one partition, in order, while the partition count stays.
/// <para>
/// The mapper grows when a topic gains partitions (<see cref="Grow"/>); Orleans' balancers ask it for the
/// queues again when notified (<see cref="HubQueueBalancer"/>). A queue's place on the ring depends on its
/// topic and partition alone, so every silo computes the same one whenever it learns of the partition, and
/// existing queues keep theirs when partitions are added: a topic's partitions sit at bit-reversed fractions of
/// the ring (0, 1/2, 1/4, 3/4, 1/8, ...), evenly spread for any count, rotated by a hash of the topic name.
/// </para>
/// </summary>
internal sealed class HubQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly Lock _lock = new();
    private readonly HashSet<(string Topic, int Partition)> _initial;
    private volatile Layout _layout;

    public HubQueueMapper(IReadOnlyDictionary<string, int> partitionsByTopic)
    {
        _layout = new Layout(partitionsByTopic.ToDictionary(t => t.Key, t => Enumerable.Range(0, t.Value).Select(p => QueueOf(t.Key, p)).ToArray()));
        _initial = [.. partitionsByTopic.SelectMany(t => Enumerable.Range(0, t.Value).Select(p => (t.Key, p)))];
    }

    /// <summary>The topics and their partition counts as the mapper knows them.</summary>
    public IReadOnlyDictionary<string, int> PartitionCounts => _layout.Queues.ToDictionary(t => t.Key, t => t.Value.Length);

    public IEnumerable<QueueId> GetAllQueues() => _layout.All;

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => _layout.All.Where(q => range.InRange(q.GetUniformHashCode()));

    /// <summary>The partition the stream's key maps to under the topic's current partition count.</summary>
    public int PartitionOf(StreamId streamId) => PartitionOf(GetQueueForStream(streamId));

    public QueueId GetQueueForStream(StreamId streamId)
    {
        var topic = Encoding.UTF8.GetString(streamId.Namespace.Span);
        var queues = _layout.Queues;
        if (!queues.TryGetValue(topic, out var partitions))
            throw new ArgumentException($"stream namespace '{topic}' is not one of this provider's topics ({string.Join(", ", queues.Keys)})");
        return partitions[KeyPartitioner.PartitionFor(streamId.Key.Span, partitions.Length)];
    }

    /// <summary>
    /// Takes the topics' current partition counts; returns whether any topic gained partitions (counts never
    /// shrink in Kafka or Hub, so a smaller count is a stale answer and is ignored).
    /// </summary>
    public bool Grow(IReadOnlyDictionary<string, int> partitionsByTopic)
    {
        lock (_lock)
        {
            var current = _layout.Queues;
            var grown = false;
            var next = new Dictionary<string, QueueId[]>(current);
            foreach (var (topic, queues) in current)
            {
                if (!partitionsByTopic.TryGetValue(topic, out var count) || count <= queues.Length) continue;
                next[topic] = [.. queues, .. Enumerable.Range(queues.Length, count - queues.Length).Select(p => QueueOf(topic, p))];
                grown = true;
            }
            if (grown) _layout = new Layout(next);
            return grown;
        }
    }

    /// <summary>Whether the partition appeared after this mapper was made, i.e. it was added to the topic at runtime.</summary>
    public bool IsAddedAtRuntime(QueueId queue) => !_initial.Contains((TopicOf(queue), PartitionOf(queue)));

    public static string TopicOf(QueueId queue) => queue.GetStringNamePrefix();

    public static int PartitionOf(QueueId queue) => (int)queue.GetNumericId();

    internal static QueueId QueueOf(string topic, int partition) =>
        QueueId.GetQueueId(topic, (uint)partition, unchecked(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(topic)) + ReverseBits((uint)partition)));

    private static uint ReverseBits(uint value)
    {
        var reversed = 0u;
        for (var bit = 0; bit < 32; bit++, value >>= 1) reversed = (reversed << 1) | (value & 1);
        return reversed;
    }

    private sealed class Layout(Dictionary<string, QueueId[]> queues)
    {
        public Dictionary<string, QueueId[]> Queues { get; } = queues;

        public QueueId[] All { get; } = [.. queues.Values.SelectMany(q => q)];
    }
}
