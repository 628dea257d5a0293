namespace Hub.Client;

/// <summary>
/// When a produce counts as done; Kafka's acks setting with Kafka's numeric values. The Append grain call
/// carries no acknowledgement level, so <see cref="Leader"/> and <see cref="All"/> both wait for the partition
/// grain's reply, which comes once it has appended the batch under its own durability policy.
/// </summary>
public enum Acks
{
    /// <summary>Done once sent; the offset is reported as -1 and failures go unnoticed.</summary>
    None = 0,

    Leader = 1,

    All = -1,
}
