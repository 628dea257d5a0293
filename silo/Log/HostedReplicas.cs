using Hub.Topics;

namespace Hub.Silo.Log;

/// <summary>
/// The partition replicas a broker's log directory holds, as Kafka's DescribeLogDirs reports them: those assigned to
/// the broker, of the topics and partitions asked for (null: all). A topic or partition asked for that isn't here is
/// left out, as in Kafka. A replica's log is created when it is first used, so one not used yet has 0 bytes, as a new
/// log has in Kafka.
/// </summary>
internal static class HostedReplicas
{
    public readonly record struct Replica(int Partition, long SizeBytes);

    /// <param name="asked">Topic to partitions asked for; null for every replica.</param>
    public static List<(string Topic, List<Replica> Replicas)> Of(string logDirectory, int brokerId, IEnumerable<TopicMetadata> topics,
        IReadOnlyDictionary<string, HashSet<int>>? asked)
    {
        var hosted = new List<(string, List<Replica>)>();
        foreach (var topic in topics.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            HashSet<int>? partitions = null;
            if (asked is not null && !asked.TryGetValue(topic.Name, out partitions)) continue;
            var replicas = new List<Replica>();
            foreach (var assignment in topic.Partitions)
            {
                if (partitions is not null && !partitions.Contains(assignment.Partition)) continue;
                if (!assignment.Replicas.Contains(brokerId)) continue;
                replicas.Add(new Replica(assignment.Partition, SizeOf(Path.Combine(logDirectory, $"{topic.Name}-{assignment.Partition}"))));
            }
            if (replicas.Count > 0) hosted.Add((topic.Name, replicas));
        }
        return hosted;
    }

    /// <summary>The bytes of a log's segments (their ".log" files; indexes don't count, as in Kafka); 0 when there is no log yet.</summary>
    public static long SizeOf(string partitionDirectory)
    {
        try
        {
            return new DirectoryInfo(partitionDirectory).EnumerateFiles("*" + SegmentFileName.LogExtension)
                .Where(f => SegmentFileName.TryParseLog(f.Name, out _)).Sum(f => f.Length);
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
        catch (FileNotFoundException)
        {
            return 0; // a segment deleted by retention meanwhile: the rest is counted next time
        }
    }
}
