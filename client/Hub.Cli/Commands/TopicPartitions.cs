using Hub.Cli.CommandLine;
using Hub.Client;

namespace Hub.Cli.Commands;

/// <summary>The <c>--partition</c> a user asked for, checked against the topic before anything is sent or read.</summary>
public static class TopicPartitions
{
    /// <summary>The partitions to read: the one asked for, or all.</summary>
    public static IReadOnlyList<int> Select(TopicDescription topic, int? only)
    {
        if (only is not { } partition) return Enumerable.Range(0, topic.Metadata.PartitionCount).ToArray();
        Check(topic, partition);
        return [partition];
    }

    public static void Check(TopicDescription topic, int partition)
    {
        var count = topic.Metadata.PartitionCount;
        if (partition >= count) throw new CliException($"topic '{topic.Metadata.Name}' has no partition {partition} (it has {count})");
    }
}
