using Hub.Groups;

namespace Hub.Silo.Groups.Assignors;

/// <summary>
/// Kafka's RoundRobinAssignor: every subscribed partition, sorted by topic and number, is dealt to the members
/// in <see cref="AssignorMember.SortKey"/> order in turn, skipping members not subscribed to its topic. With
/// identical subscriptions the counts differ by at most one.
/// </summary>
internal sealed class RoundRobinAssignor : IPartitionAssignor
{
    public string Name => AssignorNames.RoundRobin;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<AssignorMember> members)
    {
        var assignment = PartitionAssignors.EmptyAssignment(members);
        var sorted = PartitionAssignors.Sorted(members);
        if (sorted.Count == 0) return PartitionAssignors.Freeze(assignment);
        var next = 0;
        foreach (var (topic, partitions) in partitionsPerTopic.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!sorted.Any(m => m.Topics.Contains(topic))) continue;
            for (var p = 0; p < partitions; p++)
            {
                while (!sorted[next].Topics.Contains(topic)) next = (next + 1) % sorted.Count;
                assignment[sorted[next].MemberId].Add(new TopicPartition(topic, p));
                next = (next + 1) % sorted.Count;
            }
        }
        return PartitionAssignors.Freeze(assignment);
    }
}
