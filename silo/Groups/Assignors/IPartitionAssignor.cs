using Hub.Groups;

namespace Hub.Silo.Groups.Assignors;

/// <summary>A group member as an assignor sees it: what it subscribes to and what it holds now.</summary>
/// <param name="Generation">The generation <paramref name="OwnedPartitions"/> came from; the newest claim wins a conflict.</param>
internal sealed record AssignorMember(
    string MemberId,
    string? GroupInstanceId,
    IReadOnlyList<string> Topics,
    IReadOnlyList<TopicPartition> OwnedPartitions,
    int Generation = -1)
{
    /// <summary>
    /// The order assignors deal in: static members by group.instance.id (stable across restarts, as Kafka's
    /// assignors do), then dynamic ones by member id.
    /// </summary>
    internal string SortKey => GroupInstanceId is { } instance ? "0" + instance : "1" + MemberId;
}

/// <summary>
/// Decides which member reads which partition. Pure and deterministic: the same input always gives the same
/// assignment. Every member of the input appears in the output (possibly with no partitions); each existing
/// partition of a subscribed topic goes to at most one member that subscribes to its topic.
/// </summary>
internal interface IPartitionAssignor
{
    /// <summary>The protocol name members ask for (Kafka's assignor names: range, roundrobin, ...).</summary>
    string Name { get; }

    /// <param name="partitionsPerTopic">Partition count of every subscribed topic that exists; others are ignored.</param>
    IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<AssignorMember> members);
}

/// <summary>The server-side assignors by name.</summary>
internal static class PartitionAssignors
{
    private static readonly Dictionary<string, IPartitionAssignor> ByName = new IPartitionAssignor[]
    {
        new RangeAssignor(), new RoundRobinAssignor(), new StickyAssignor(cooperative: false), new StickyAssignor(cooperative: true),
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static IPartitionAssignor? Find(string name) => ByName.GetValueOrDefault(name);

    internal static List<AssignorMember> Sorted(IReadOnlyList<AssignorMember> members) =>
        members.OrderBy(m => m.SortKey, StringComparer.Ordinal).ToList();

    internal static Dictionary<string, List<TopicPartition>> EmptyAssignment(IReadOnlyList<AssignorMember> members) =>
        members.ToDictionary(m => m.MemberId, _ => new List<TopicPartition>(), StringComparer.Ordinal);

    internal static IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Freeze(Dictionary<string, List<TopicPartition>> assignment) =>
        assignment.ToDictionary(e => e.Key, e => (IReadOnlyList<TopicPartition>)e.Value, StringComparer.Ordinal);
}
