namespace Hub.Partitions;

/// <summary>Kafka's acks values for an append: when the writer hears back.</summary>
public static class RequiredAcks
{
    /// <summary>No answer wanted; the append is still done, as by the leader alone.</summary>
    public const short None = 0;

    /// <summary>Answered once the leader has written it.</summary>
    public const short Leader = 1;

    /// <summary>Answered once every in-sync replica has it (the high watermark passed it).</summary>
    public const short All = -1;
}
