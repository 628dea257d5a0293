using Hub.Groups;

namespace Hub.Silo.Groups.Assignors;

/// <summary>
/// Kafka's RangeAssignor: topic by topic, the members subscribed to it (in <see cref="AssignorMember.SortKey"/>
/// order) get consecutive ranges of its partitions; with n partitions and m members each gets n / m and the
/// first n % m one more. Members subscribed to the same topics get the same partition numbers of each topic,
/// which suits co-partitioned joins; across many topics the first members get more.
/// </summary>
internal sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => AssignorNames.Range;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<AssignorMember> members)
    {
        var assignment = PartitionAssignors.EmptyAssignment(members);
        var sorted = PartitionAssignors.Sorted(members);
        foreach (var (topic, partitions) in partitionsPerTopic.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var subscribers = sorted.Where(m => m.Topics.Contains(topic)).ToList();
            if (subscribers.Count == 0) continue;
            var each = partitions / subscribers.Count;
            var extra = partitions % subscribers.Count;
            for (var i = 0; i < subscribers.Count; i++)
            {
                var start = i * each + Math.Min(i, extra);
                var length = each + (i < extra ? 1 : 0);
                for (var p = start; p < start + length; p++) assignment[subscribers[i].MemberId].Add(new TopicPartition(topic, p));
            }
        }
        return PartitionAssignors.Freeze(assignment);
    }
}
