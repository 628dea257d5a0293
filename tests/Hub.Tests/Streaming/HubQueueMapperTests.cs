using System.Text;
using Hub.Client.Partitioning;
using Hub.Streaming;
using Orleans.Streams;

namespace Hub.Tests.Streaming;

/// <summary>The queue layout of a Hub stream provider, as it grows with the topics' partition counts.</summary>
public sealed class HubQueueMapperTests
{
    [Fact]
    public void Growing_AddsTheNewPartitionsQueues_AndKeepsEveryExistingQueuesRingPosition()
    {
        var mapper = new HubQueueMapper(new Dictionary<string, int> { ["a"] = 3, ["b"] = 2 });
        var before = mapper.GetAllQueues().ToDictionary(q => (HubQueueMapper.TopicOf(q), HubQueueMapper.PartitionOf(q)), q => q.GetUniformHashCode());

        Assert.True(mapper.Grow(new Dictionary<string, int> { ["a"] = 6, ["b"] = 2 }));

        var after = mapper.GetAllQueues().ToDictionary(q => (HubQueueMapper.TopicOf(q), HubQueueMapper.PartitionOf(q)), q => q.GetUniformHashCode());
        Assert.Equal(8, after.Count);
        foreach (var (queue, hash) in before) Assert.Equal(hash, after[queue]);
        Assert.True(mapper.IsAddedAtRuntime(mapper.GetAllQueues().Single(q => HubQueueMapper.TopicOf(q) == "a" && HubQueueMapper.PartitionOf(q) == 5)));
        Assert.False(mapper.IsAddedAtRuntime(mapper.GetAllQueues().Single(q => HubQueueMapper.TopicOf(q) == "a" && HubQueueMapper.PartitionOf(q) == 2)));

        // A silo that started with 6 partitions places every queue where this one does.
        var started = new HubQueueMapper(new Dictionary<string, int> { ["a"] = 6, ["b"] = 2 });
        Assert.Equal(after, started.GetAllQueues().ToDictionary(q => (HubQueueMapper.TopicOf(q), HubQueueMapper.PartitionOf(q)), q => q.GetUniformHashCode()));
    }

    [Fact]
    public void Growing_IgnoresAStaleSmallerCount_AndUnknownTopics()
    {
        var mapper = new HubQueueMapper(new Dictionary<string, int> { ["a"] = 4 });
        Assert.False(mapper.Grow(new Dictionary<string, int> { ["a"] = 2, ["other"] = 9 }));
        Assert.Equal(4, mapper.GetAllQueues().Count());
    }

    [Fact]
    public void AStream_MapsToItsKeysPartitionUnderTheCurrentCount()
    {
        var mapper = new HubQueueMapper(new Dictionary<string, int> { ["a"] = 2 });
        var key = Enumerable.Range(0, 100).Select(i => $"k{i}").First(k => Partition(k, 2) != Partition(k, 7));
        var stream = StreamId.Create("a", key);
        Assert.Equal(Partition(key, 2), mapper.PartitionOf(stream));
        mapper.Grow(new Dictionary<string, int> { ["a"] = 7 });
        Assert.Equal(Partition(key, 7), mapper.PartitionOf(stream));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(12)]
    public void ATopicsQueues_AreSpreadOverTheRing_NoGapMoreThanTwiceTheEvenShare(int partitions)
    {
        var hashes = new HubQueueMapper(new Dictionary<string, int> { ["orders"] = partitions }).GetAllQueues()
            .Select(q => (ulong)q.GetUniformHashCode()).Order().ToList();
        var gaps = hashes.Zip(hashes.Skip(1), (a, b) => b - a).Append(hashes[0] + (1UL << 32) - hashes[^1]);
        var even = (1UL << 32) / (ulong)partitions;
        Assert.All(gaps, gap => Assert.InRange(gap, 1UL, 2 * even));
    }

    private static int Partition(string key, int count) => KeyPartitioner.PartitionFor(Encoding.UTF8.GetBytes(key), count);
}
