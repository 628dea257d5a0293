using Hub.Groups;

namespace Hub.Silo.Groups.Assignors;

/// <summary>
/// Balanced and sticky, as Kafka's StickyAssignor ("sticky", eager) and CooperativeStickyAssignor
/// ("cooperative-sticky"), with a simpler algorithm than Kafka's:
/// <list type="number">
/// <item>Each partition stays with the member that holds it (per the members' owned partitions; the claim
/// from the newest generation wins), if that member still subscribes to its topic.</item>
/// <item>Partitions nobody keeps go, in topic/partition order, to the least loaded subscribed member.</item>
/// <item>While some member has at least two partitions more than another member that could take one of them,
/// one partition moves (preferring those just handed out in step 2, which nobody has started reading).</item>
/// </list>
/// With identical subscriptions this ends with counts that differ by at most one and moves no more
/// partitions than needed for that; with different subscriptions it stops when no single move improves the
/// balance, which may be short of the best balance Kafka's algorithm finds.
/// <para>
/// Cooperative: a partition whose new owner differs from the member holding it is left out of this
/// generation's assignment altogether. Its holder sees it revoked, releases it (committing its position) and
/// rejoins, which starts the next rebalance; there the partition is free and goes to its new owner. So no
/// partition ever has two owners, and partitions that don't move are never revoked. With identical
/// subscriptions one extra rebalance settles everything; with different ones it can take another (the
/// randomized test sees at most two).
/// </para>
/// </summary>
internal sealed class StickyAssignor(bool cooperative) : IPartitionAssignor
{
    public string Name => cooperative ? AssignorNames.CooperativeSticky : AssignorNames.Sticky;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<AssignorMember> members)
    {
        var assignment = PartitionAssignors.EmptyAssignment(members);
        var sorted = PartitionAssignors.Sorted(members);
        var subscribers = partitionsPerTopic.Keys.ToDictionary(
            topic => topic, topic => sorted.Where(m => m.Topics.Contains(topic)).Select(m => m.MemberId).ToList(), StringComparer.Ordinal);
        var subscribed = sorted.ToDictionary(m => m.MemberId, m => m.Topics.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var holders = Holders(partitionsPerTopic, sorted);

        // 1. Keep what members hold, where they still subscribe.
        var kept = new HashSet<TopicPartition>();
        foreach (var (partition, holder) in holders.OrderBy(h => h.Key))
        {
            if (!subscribed[holder].Contains(partition.Topic)) continue;
            assignment[holder].Add(partition);
            kept.Add(partition);
        }
        var keptCount = assignment.ToDictionary(e => e.Key, e => e.Value.Count, StringComparer.Ordinal);

        // 2. Hand out the rest to the least loaded subscriber.
        foreach (var (topic, count) in partitionsPerTopic.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var candidates = subscribers[topic];
            if (candidates.Count == 0) continue;
            for (var p = 0; p < count; p++)
            {
                var partition = new TopicPartition(topic, p);
                if (kept.Contains(partition)) continue;
                var least = candidates.MinBy(m => assignment[m].Count)!; // MinBy keeps the first of equals: sorted order
                assignment[least].Add(partition);
            }
        }

        // 3. Even out: move from heavily loaded members to lighter ones that subscribe to the partition's topic.
        while (TryMoveOne(assignment, subscribers, sorted, keptCount)) { }

        if (cooperative) WithholdMoving(assignment, holders);
        foreach (var list in assignment.Values) list.Sort();
        return PartitionAssignors.Freeze(assignment);
    }

    /// <summary>Who holds each existing partition now: the claim from the newest generation; equal ones go to the first member in sort order.</summary>
    private static Dictionary<TopicPartition, string> Holders(IReadOnlyDictionary<string, int> partitionsPerTopic, List<AssignorMember> sorted)
    {
        var holders = new Dictionary<TopicPartition, (string Member, int Generation)>();
        foreach (var member in sorted)
        {
            foreach (var partition in member.OwnedPartitions)
            {
                if (!partitionsPerTopic.TryGetValue(partition.Topic, out var count) || (uint)partition.Partition >= (uint)count) continue;
                if (!holders.TryGetValue(partition, out var current) || member.Generation > current.Generation)
                    holders[partition] = (member.MemberId, member.Generation);
            }
        }
        return holders.ToDictionary(h => h.Key, h => h.Value.Member);
    }

    /// <summary>
    /// One move from the most loaded member able to give a partition to a member with at least two fewer.
    /// Partitions are taken from the end of the giver's list: those handed out in step 2 before those it kept.
    /// </summary>
    private static bool TryMoveOne(Dictionary<string, List<TopicPartition>> assignment, Dictionary<string, List<string>> subscribers,
        List<AssignorMember> sorted, Dictionary<string, int> keptCount)
    {
        foreach (var giver in sorted.Select(m => m.MemberId).OrderByDescending(m => assignment[m].Count))
        {
            var given = assignment[giver];
            for (var i = given.Count - 1; i >= 0; i--)
            {
                var partition = given[i];
                var taker = subscribers[partition.Topic].MinBy(m => assignment[m].Count)!;
                if (assignment[taker].Count + 1 >= given.Count) continue;
                given.RemoveAt(i);
                if (i < keptCount[giver]) keptCount[giver]--;
                assignment[taker].Add(partition);
                return true;
            }
        }
        return false;
    }

    /// <summary>Leaves out every partition that is moving to a member other than its holder (see the class comment).</summary>
    private static void WithholdMoving(Dictionary<string, List<TopicPartition>> assignment, Dictionary<TopicPartition, string> holders)
    {
        foreach (var (member, partitions) in assignment)
            partitions.RemoveAll(p => holders.TryGetValue(p, out var holder) && holder != member);
    }
}
