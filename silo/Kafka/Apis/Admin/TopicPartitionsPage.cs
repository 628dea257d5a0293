namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// Which partitions one DescribeTopicPartitions answer (KIP-966) holds: topics in name order from the cursor's topic,
/// that topic from the cursor's partition, until the partition limit is spent; the cursor to continue from when
/// anything is left. A topic that does not exist costs nothing of the limit, as in Kafka.
/// </summary>
internal static class TopicPartitionsPage
{
    /// <summary>
    /// Partitions in one answer at most, whatever the client asks: Kafka's default max.request.partition.size.limit,
    /// which keeps one answer's size bounded when a cluster has very many partitions.
    /// </summary>
    public const int MaxPartitions = 2000;

    /// <summary>A topic of the answer: its partitions <see cref="First"/> to <see cref="First"/> + <see cref="Count"/> - 1; Count -1 for a topic that does not exist.</summary>
    public readonly record struct Slice(string Topic, int First, int Count);

    public readonly record struct Cursor(string Topic, int Partition);

    /// <summary>The partitions the client may have in one answer: its limit within 1 to <see cref="MaxPartitions"/>.</summary>
    public static int Limit(int asked) => Math.Clamp(asked, 1, MaxPartitions);

    /// <param name="topics">The topics to describe, in ordinal name order, each with its partition count (null: no such topic).</param>
    /// <param name="cursor">Where the previous answer stopped; null for the start.</param>
    /// <param name="limit">Partitions at most, from <see cref="Limit"/>.</param>
    public static (List<Slice> Slices, Cursor? Next) Take(IReadOnlyList<(string Name, int? Partitions)> topics, Cursor? cursor, int limit)
    {
        var slices = new List<Slice>();
        var remaining = limit;
        var i = 0;
        for (; i < topics.Count && remaining > 0; i++)
        {
            var (name, partitions) = topics[i];
            if (partitions is not { } count)
            {
                slices.Add(new Slice(name, 0, -1));
                continue;
            }
            var first = cursor is { } c && c.Topic == name ? c.Partition : 0;
            var taken = Math.Clamp(count - first, 0, remaining);
            slices.Add(new Slice(name, first, taken));
            if (first + taken < count) return (slices, new Cursor(name, first + taken));
            remaining -= taken;
        }
        return (slices, i < topics.Count ? new Cursor(topics[i].Name, 0) : null);
    }
}
