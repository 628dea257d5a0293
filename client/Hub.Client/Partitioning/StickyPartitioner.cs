namespace Hub.Client.Partitioning;

/// <summary>
/// Kafka's sticky partitioning (KIP-480): null-key records all go to one partition until its batch closes,
/// then to another chosen at random. Fewer, fuller batches than round-robin, and the load still spreads.
/// </summary>
internal sealed class StickyPartitioner : INullKeyPartitioner
{
    private const int Unchosen = -1;
    private int _current = Unchosen;

    public int NextPartition(int partitionCount)
    {
        var current = Volatile.Read(ref _current);
        if ((uint)current < (uint)partitionCount) return current;
        var chosen = Random.Shared.Next(partitionCount);
        // When threads race to make the first choice, they all follow the one that won.
        var seen = Interlocked.CompareExchange(ref _current, chosen, current);
        return seen == current || (uint)seen >= (uint)partitionCount ? chosen : seen;
    }

    public void OnBatchClosed(int partition, int partitionCount)
    {
        if (Volatile.Read(ref _current) != partition || partitionCount <= 1) return;
        // Another partition than the one whose batch just closed, so the switch really moves the load.
        var other = Random.Shared.Next(partitionCount - 1);
        Interlocked.CompareExchange(ref _current, other >= partition ? other + 1 : other, partition);
    }
}
