using Hub.Groups;

namespace Hub.Silo.Groups.Assignors;

/// <summary>
/// The assignors of consumer-protocol (KIP-848) groups, by Kafka's names for them (group.consumer.assignors). Their
/// "owned partitions" are each member's current target, so a new target moves as little as it can: the group's
/// reconciliation then revokes only what moves.
/// </summary>
internal static class ServerAssignors
{
    private static readonly Dictionary<string, IPartitionAssignor> ByName = new(StringComparer.Ordinal)
    {
        // Balanced and sticky: counts differ by at most one with identical subscriptions.
        [AssignorNames.Uniform] = new StickyAssignor(cooperative: false),
        // Per topic, consecutive ranges in member order: co-partitioned topics line up.
        [AssignorNames.Range] = new RangeAssignor(),
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static IPartitionAssignor? Find(string name) => ByName.GetValueOrDefault(name);
}
