using Hub.Client.Partitioning;

namespace Hub.Tests.Client;

public class NullKeyPartitionerTests
{
    [Fact]
    public void Sticky_stays_on_one_partition_until_its_batch_closes_then_moves_to_another()
    {
        var sticky = new StickyPartitioner();
        var first = sticky.NextPartition(8);
        for (var i = 0; i < 100; i++) Assert.Equal(first, sticky.NextPartition(8));

        sticky.OnBatchClosed((first + 1) % 8, 8); // another partition's batch: no reason to move
        Assert.Equal(first, sticky.NextPartition(8));

        sticky.OnBatchClosed(first, 8);
        var second = sticky.NextPartition(8);
        Assert.NotEqual(first, second);
        Assert.InRange(second, 0, 7);
        Assert.Equal(second, sticky.NextPartition(8));
    }

    [Fact]
    public void Sticky_with_one_partition_stays_on_it()
    {
        var sticky = new StickyPartitioner();
        Assert.Equal(0, sticky.NextPartition(1));
        sticky.OnBatchClosed(0, 1);
        Assert.Equal(0, sticky.NextPartition(1));
    }

    [Fact]
    public void Sticky_spreads_over_every_partition_as_batches_close()
    {
        var sticky = new StickyPartitioner();
        var seen = new HashSet<int>();
        for (var i = 0; i < 1_000; i++)
        {
            var partition = sticky.NextPartition(4);
            seen.Add(partition);
            sticky.OnBatchClosed(partition, 4);
        }
        Assert.Equal([0, 1, 2, 3], seen.Order());
    }

    [Fact]
    public void Round_robin_cycles_through_the_partitions()
    {
        var roundRobin = new RoundRobinPartitioner();
        var partitions = Enumerable.Range(0, 7).Select(_ => roundRobin.NextPartition(3)).ToArray();
        Assert.Equal([0, 1, 2, 0, 1, 2, 0], partitions);
    }
}
