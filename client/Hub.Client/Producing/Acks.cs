namespace Hub.Client;

/// <summary>When a produce counts as done; Kafka's acks setting with Kafka's numeric values.</summary>
public enum Acks
{
    /// <summary>Done once sent; the offset is reported as -1 and failures go unnoticed.</summary>
    None = 0,

    /// <summary>Done once the partition's leader has written it.</summary>
    Leader = 1,

    /// <summary>Done once every in-sync replica has it; refused while fewer than min.insync.replicas are in sync.</summary>
    All = -1,
}
