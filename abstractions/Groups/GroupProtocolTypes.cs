namespace Hub.Groups;

/// <summary>
/// Protocol types a member names in JoinGroup; every member of a group must use the same one.
/// </summary>
public static class GroupProtocolTypes
{
    /// <summary>
    /// Kafka's consumer groups: the group leader (a member) computes the assignment and hands it over in
    /// SyncGroup; the group only relays the bytes.
    /// </summary>
    public const string Consumer = "consumer";

    /// <summary>
    /// Hub's server-assigned consumer groups, used by the SDK: protocol names are assignor names
    /// (<see cref="AssignorNames"/>), metadata is a <see cref="ConsumerSubscription"/> in Kafka's
    /// ConsumerProtocolSubscription encoding, and the group computes the assignment itself when the join
    /// phase ends: each member's JoinGroup result carries its assignment (Kafka's ConsumerProtocolAssignment
    /// encoding), so no SyncGroup round trip is needed.
    /// </summary>
    public const string Hub = "hub";
}

/// <summary>The assignors a <see cref="GroupProtocolTypes.Hub"/> group runs on the server; Kafka's names.</summary>
public static class AssignorNames
{
    /// <summary>Per topic, consecutive ranges of partitions to members in member order (Kafka's default).</summary>
    public const string Range = "range";

    /// <summary>All subscribed partitions dealt to members in turn.</summary>
    public const string RoundRobin = "roundrobin";

    /// <summary>Balanced, keeping partitions with their previous owners; eager (everything is revoked on rebalance).</summary>
    public const string Sticky = "sticky";

    /// <summary>
    /// Balanced and sticky, incremental: only partitions that move are revoked, and a moving partition is
    /// handed to its new owner one rebalance later, after its old owner has released it.
    /// </summary>
    public const string CooperativeSticky = "cooperative-sticky";

    public static IReadOnlyList<string> All { get; } = [Range, RoundRobin, Sticky, CooperativeSticky];

    /// <summary>
    /// Balanced and sticky, for consumer-protocol (KIP-848) groups, which only revoke what moves (Kafka's UniformAssignor,
    /// its default server-side assignor).
    /// </summary>
    public const string Uniform = "uniform";

    /// <summary>The assignors of consumer-protocol groups (group.remote.assignor): <see cref="Uniform"/> and <see cref="Range"/>.</summary>
    public static IReadOnlyList<string> Server { get; } = [Uniform, Range];
}
