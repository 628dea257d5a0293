namespace Hub.Client.Partitioning;

/// <summary>Kafka's default partition for a keyed record, so keyed data co-partitions with Kafka producers.</summary>
public static class KeyPartitioner
{
    public static int PartitionFor(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return Murmur2.ToPositive(Murmur2.Hash(key)) % partitionCount;
    }
}
