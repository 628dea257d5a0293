namespace Hub.Groups;

/// <summary>One partition of one topic.</summary>
[GenerateSerializer, Immutable]
public readonly record struct TopicPartition(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition) : IComparable<TopicPartition>
{
    public int CompareTo(TopicPartition other)
    {
        var byTopic = string.CompareOrdinal(Topic, other.Topic);
        return byTopic != 0 ? byTopic : Partition.CompareTo(other.Partition);
    }

    public override string ToString() => $"{Topic}/{Partition}";
}
