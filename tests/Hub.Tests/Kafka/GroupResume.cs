namespace Hub.Tests.Kafka;

/// <summary>
/// What the node and python group scripts print (ten records over two partitions, then two members of one group in
/// turn, reading six and four and committing as they go), and the check that the second resumed where the first committed.
/// </summary>
public sealed record GroupResume(GroupResume.Consumed[] First, GroupResume.Consumed[] Second)
{
    public sealed record Consumed(int Partition, long Offset, string Value);

    public void AssertEveryRecordOnce()
    {
        Assert.Equal(6, First.Length);
        Assert.Equal(4, Second.Length);
        var all = First.Concat(Second).ToList();
        // Nothing the first member committed was read again, nothing was skipped.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}").Order(), all.Select(c => c.Value).Order());
        foreach (var partition in all.GroupBy(c => c.Partition))
            Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), partition.Select(c => c.Offset));
    }
}
