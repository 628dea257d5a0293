namespace Hub.Client.Partitioning;

/// <summary>Kafka's RoundRobinPartitioner: null-key records cycle through the partitions one by one.</summary>
internal sealed class RoundRobinPartitioner : INullKeyPartitioner
{
    // Unsigned so the counter wraps around without going negative; the first increment yields partition 0.
    private uint _counter = uint.MaxValue;

    public int NextPartition(int partitionCount) => (int)(Interlocked.Increment(ref _counter) % (uint)partitionCount);

    // Round-robin moves on with every record; a batch closing changes nothing.
    public void OnBatchClosed(int partition, int partitionCount)
    {
    }
}
