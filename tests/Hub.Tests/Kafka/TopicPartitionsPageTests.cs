using Hub.Silo.Kafka.Apis.Admin;
using Slice = Hub.Silo.Kafka.Apis.Admin.TopicPartitionsPage.Slice;
using Cursor = Hub.Silo.Kafka.Apis.Admin.TopicPartitionsPage.Cursor;

namespace Hub.Tests.Kafka;

/// <summary>DescribeTopicPartitions' paging: topics in order, the limit spent across them, the cursor where it ran out.</summary>
public sealed class TopicPartitionsPageTests
{
    private static readonly List<(string, int?)> Topics = [("a", 3), ("b", null), ("c", 2), ("d", 1)];

    [Fact]
    public void Pages_walk_every_partition_once_and_a_missing_topic_costs_nothing()
    {
        var (first, next) = TopicPartitionsPage.Take(Topics, null, 2);
        Assert.Equal([new Slice("a", 0, 2)], first);
        Assert.Equal(new Cursor("a", 2), next);

        var (second, next2) = TopicPartitionsPage.Take(Topics, next, 2);
        Assert.Equal([new Slice("a", 2, 1), new Slice("b", 0, -1), new Slice("c", 0, 1)], second);
        Assert.Equal(new Cursor("c", 1), next2);

        // The caller drops topics before the cursor's; the cursor's partition applies to its topic only.
        var (third, next3) = TopicPartitionsPage.Take(Topics[2..], next2, 2);
        Assert.Equal([new Slice("c", 1, 1), new Slice("d", 0, 1)], third);
        Assert.Null(next3);
    }

    [Fact]
    public void A_limit_spent_exactly_at_a_topics_end_points_the_cursor_at_the_next_topic()
    {
        var (slices, next) = TopicPartitionsPage.Take(Topics, null, 3);
        Assert.Equal([new Slice("a", 0, 3)], slices);
        Assert.Equal(new Cursor("b", 0), next);
    }

    [Fact]
    public void A_cursor_past_a_topics_partitions_gives_it_none()
    {
        var (slices, next) = TopicPartitionsPage.Take([("a", 3)], new Cursor("a", 7), 10);
        Assert.Equal([new Slice("a", 7, 0)], slices);
        Assert.Null(next);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-5, 1)]
    [InlineData(10, 10)]
    [InlineData(int.MaxValue, TopicPartitionsPage.MaxPartitions)]
    public void The_limit_is_at_least_one_and_at_most_the_brokers(int asked, int limit) => Assert.Equal(limit, TopicPartitionsPage.Limit(asked));
}
