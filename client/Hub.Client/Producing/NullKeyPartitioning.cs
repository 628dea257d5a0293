namespace Hub.Client;

/// <summary>How records without a key (and without an explicit partition) are spread over partitions.</summary>
public enum NullKeyPartitioning
{
    /// <summary>Fill one partition's batch, then move to another at random (Kafka's default since 2.4).</summary>
    Sticky,

    /// <summary>One record per partition in turn.</summary>
    RoundRobin,
}
