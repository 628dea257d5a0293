using Hub.Groups;
using Hub.Silo.Groups.Assignors;

namespace Hub.Tests.Groups;

public sealed class AssignorTests
{
    private static readonly Dictionary<string, int> SixAndThree = new() { ["orders"] = 6, ["audit"] = 3 };

    public static TheoryData<string> AllAssignors => new(PartitionAssignors.Names);

    private static AssignorMember Member(string id, IReadOnlyList<string>? topics = null, IReadOnlyList<TopicPartition>? owned = null, int generation = 1) =>
        new(id, null, topics ?? ["orders", "audit"], owned ?? [], generation);

    private static IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(string assignor, IReadOnlyDictionary<string, int> topics,
        params AssignorMember[] members) => PartitionAssignors.Find(assignor)!.Assign(topics, members);

    /// <summary>Every member present, no partition twice, each partition only to a subscriber of its topic.</summary>
    private static void AssertValid(IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> assignment, IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> topics)
    {
        Assert.Equal(members.Select(m => m.MemberId).Order(), assignment.Keys.Order());
        var all = assignment.Values.SelectMany(p => p).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        foreach (var member in members)
        {
            Assert.All(assignment[member.MemberId], p =>
            {
                Assert.Contains(p.Topic, member.Topics);
                Assert.InRange(p.Partition, 0, topics[p.Topic] - 1);
            });
        }
    }

    private static void AssertComplete(IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> assignment, IReadOnlyDictionary<string, int> topics)
    {
        var expected = topics.SelectMany(t => Enumerable.Range(0, t.Value).Select(p => new TopicPartition(t.Key, p))).Order();
        Assert.Equal(expected, assignment.Values.SelectMany(p => p).Order());
    }

    private static void AssertBalanced(IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> assignment)
    {
        var counts = assignment.Values.Select(p => p.Count).ToList();
        Assert.True(counts.Max() - counts.Min() <= 1, $"unbalanced: {string.Join(",", counts)}");
    }

    [Theory]
    [MemberData(nameof(AllAssignors))]
    public void Identical_subscriptions_are_assigned_completely_without_overlap(string assignor)
    {
        foreach (var memberCount in new[] { 1, 2, 3, 4, 9, 12 })
        {
            var members = Enumerable.Range(0, memberCount).Select(i => Member($"m{i:D2}")).ToArray();
            var assignment = Assign(assignor, SixAndThree, members);
            AssertValid(assignment, members, SixAndThree);
            AssertComplete(assignment, SixAndThree);
            if (assignor != AssignorNames.Range) AssertBalanced(assignment); // range balances per topic, not overall
        }
    }

    [Fact]
    public void Range_gives_consecutive_ranges_per_topic_extra_to_the_first()
    {
        var assignment = Assign(AssignorNames.Range, new Dictionary<string, int> { ["t"] = 7 }, Member("a", ["t"]), Member("b", ["t"]), Member("c", ["t"]));
        Assert.Equal([0, 1, 2], assignment["a"].Select(p => p.Partition));
        Assert.Equal([3, 4], assignment["b"].Select(p => p.Partition));
        Assert.Equal([5, 6], assignment["c"].Select(p => p.Partition));
    }

    [Fact]
    public void Round_robin_deals_in_turn_skipping_members_not_subscribed()
    {
        var topics = new Dictionary<string, int> { ["x"] = 3, ["y"] = 2 };
        var members = new[] { Member("a", ["x", "y"]), Member("b", ["x"]), Member("c", ["y"]) };
        var assignment = Assign(AssignorNames.RoundRobin, topics, members);
        AssertValid(assignment, members, topics);
        AssertComplete(assignment, topics);
        // x0→a, x1→b, x2→(c skipped)→a, y0→(b skipped)→c, y1→a: Kafka's dealing.
        Assert.Equal([new TopicPartition("x", 0), new TopicPartition("x", 2), new TopicPartition("y", 1)], assignment["a"]);
        Assert.Equal([new TopicPartition("x", 1)], assignment["b"]);
        Assert.Equal([new TopicPartition("y", 0)], assignment["c"]);
    }

    [Theory]
    [MemberData(nameof(AllAssignors))]
    public void Different_subscriptions_only_get_their_own_topics_and_everything_is_assigned(string assignor)
    {
        var members = new[] { Member("a", ["orders"]), Member("b", ["orders", "audit"]), Member("c", ["audit"]), Member("d", ["nothing-here"]) };
        var assignment = Assign(assignor, SixAndThree, members);
        AssertValid(assignment, members, SixAndThree);
        AssertComplete(assignment, SixAndThree);
        Assert.Empty(assignment["d"]);
    }

    [Theory]
    [MemberData(nameof(AllAssignors))]
    public void Static_members_are_ordered_by_instance_id_so_a_restart_keeps_the_same_assignment(string assignor)
    {
        var topics = new Dictionary<string, int> { ["t"] = 4 };
        var before = Assign(assignor, topics, new AssignorMember("zzz-1", "instance-a", ["t"], []), new AssignorMember("aaa-1", "instance-b", ["t"], []));
        var after = Assign(assignor, topics, new AssignorMember("aaa-2", "instance-a", ["t"], []), new AssignorMember("zzz-2", "instance-b", ["t"], []));
        Assert.Equal(before["zzz-1"], after["aaa-2"]);
        Assert.Equal(before["aaa-1"], after["zzz-2"]);
    }

    [Theory]
    [InlineData(AssignorNames.Sticky)]
    [InlineData(AssignorNames.CooperativeSticky)]
    public void Sticky_keeps_partitions_that_need_not_move_when_a_member_joins(string assignor)
    {
        var topics = new Dictionary<string, int> { ["t"] = 6 };
        var first = Assign(assignor, topics, Member("a", ["t"]), Member("b", ["t"]));
        var members = new[] { Member("a", ["t"], first["a"]), Member("b", ["t"], first["b"]), Member("c", ["t"]) };
        var second = Assign(assignor, topics, members);
        AssertValid(second, members, topics);

        // Each old member gives up exactly one partition; everything it keeps it already had.
        Assert.All(new[] { "a", "b" }, m => Assert.Subset(first[m].ToHashSet(), second[m].ToHashSet()));
        Assert.All(new[] { "a", "b" }, m => Assert.Equal(2, second[m].Count));
        if (assignor == AssignorNames.Sticky)
        {
            AssertComplete(second, topics);
            Assert.Equal(2, second["c"].Count);
        }
        else
        {
            // Cooperative: the two moving partitions are withheld this round...
            Assert.Empty(second["c"]);
            // ...and assigned in the next, once their old owners have released them.
            var third = Assign(assignor, topics, Member("a", ["t"], second["a"], 2), Member("b", ["t"], second["b"], 2), Member("c", ["t"], second["c"], 2));
            AssertComplete(third, topics);
            AssertBalanced(third);
            Assert.Equal(second["a"], third["a"]);
            Assert.Equal(second["b"], third["b"]);
        }
    }

    [Theory]
    [InlineData(AssignorNames.Sticky)]
    [InlineData(AssignorNames.CooperativeSticky)]
    public void Sticky_moves_only_the_departed_members_partitions(string assignor)
    {
        var topics = new Dictionary<string, int> { ["t"] = 9 };
        var first = Assign(assignor, topics, Member("a", ["t"]), Member("b", ["t"]), Member("c", ["t"]));
        var members = new[] { Member("a", ["t"], first["a"]), Member("c", ["t"], first["c"]) };
        var second = Assign(assignor, topics, members);
        AssertValid(second, members, topics);
        AssertComplete(second, topics); // nothing was held by anyone else, so nothing is withheld
        AssertBalanced(second);
        Assert.Subset(second["a"].ToHashSet(), first["a"].ToHashSet());
        Assert.Subset(second["c"].ToHashSet(), first["c"].ToHashSet());
    }

    [Fact]
    public void Cooperative_never_gives_a_partition_to_a_new_owner_while_another_member_holds_it()
    {
        var topics = new Dictionary<string, int> { ["t"] = 8 };
        // Everything held by one member: balance needs six partitions to move to the others.
        var all = Enumerable.Range(0, 8).Select(p => new TopicPartition("t", p)).ToList();
        var members = new[] { Member("a", ["t"], all), Member("b", ["t"]), Member("c", ["t"]), Member("d", ["t"]) };
        var round = Assign(AssignorNames.CooperativeSticky, topics, members);
        Assert.Equal(2, round["a"].Count);
        Assert.All(new[] { "b", "c", "d" }, m => Assert.Empty(round[m]));

        var next = Assign(AssignorNames.CooperativeSticky, topics,
            members.Select(m => m with { OwnedPartitions = round[m.MemberId], Generation = 2 }).ToArray());
        AssertComplete(next, topics);
        AssertBalanced(next);
        Assert.Equal(round["a"], next["a"]);
    }

    [Fact]
    public void Conflicting_claims_go_to_the_newest_generation()
    {
        var topics = new Dictionary<string, int> { ["t"] = 2 };
        var stale = new TopicPartition("t", 0);
        var members = new[] { Member("a", ["t"], [stale], generation: 3), Member("b", ["t"], [stale], generation: 5) };
        var assignment = Assign(AssignorNames.CooperativeSticky, topics, members);
        Assert.Equal([stale], assignment["b"]);
        Assert.Equal([new TopicPartition("t", 1)], assignment["a"]);
    }

    [Fact]
    public void Claims_on_partitions_that_no_longer_exist_or_unsubscribed_topics_are_ignored_or_revoked()
    {
        var topics = new Dictionary<string, int> { ["t"] = 2, ["u"] = 2 };
        var members = new[]
        {
            Member("a", ["t"], [new TopicPartition("t", 0), new TopicPartition("t", 7), new TopicPartition("u", 0)]),
            Member("b", ["t", "u"]),
        };
        var assignment = Assign(AssignorNames.CooperativeSticky, topics, members);
        AssertValid(assignment, members, topics);
        Assert.Contains(new TopicPartition("t", 0), assignment["a"]);
        // u/0 is still held by a, which no longer wants it: withheld until a lets go.
        Assert.DoesNotContain(new TopicPartition("u", 0), assignment.Values.SelectMany(p => p));
    }

    [Theory]
    [MemberData(nameof(AllAssignors))]
    public void Random_groups_stay_valid_and_sticky_assignors_converge(string assignor)
    {
        var random = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var topics = Enumerable.Range(0, random.Next(1, 4)).ToDictionary(t => $"t{t}", _ => random.Next(1, 13));
            var names = topics.Keys.ToList();
            var members = Enumerable.Range(0, random.Next(1, 7)).Select(i =>
                Member($"m{i}", names.Where(_ => random.Next(3) > 0).DefaultIfEmpty(names[0]).ToList(),
                    topics.SelectMany(t => Enumerable.Range(0, t.Value + 1).Select(p => new TopicPartition(t.Key, p)))
                        .Where(_ => random.Next(4) == 0).ToList(),
                    random.Next(0, 3))).ToArray();
            var assignment = Assign(assignor, topics, members);
            AssertValid(assignment, members, topics);
            var wanted = topics.Where(t => members.Any(m => m.Topics.Contains(t.Key))).ToDictionary();
            if (assignor != AssignorNames.CooperativeSticky)
            {
                AssertComplete(assignment, wanted);
                continue;
            }
            // Members release what they lost and report what they hold; each round keeps what the last one gave.
            var rounds = 1;
            while (assignment.Values.Sum(p => p.Count) < wanted.Values.Sum())
            {
                Assert.True(++rounds <= 3, $"round {round}: still incomplete after 3 rebalances");
                var next = Assign(assignor, topics, members.Select(m => m with { OwnedPartitions = assignment[m.MemberId], Generation = rounds }).ToArray());
                AssertValid(next, members, topics);
                assignment = next;
            }
            AssertComplete(assignment, wanted);
        }
    }
}
