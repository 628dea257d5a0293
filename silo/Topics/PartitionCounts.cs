using Hub.Errors;

namespace Hub.Silo.Topics;

/// <summary>How many partitions a topic may have: the controller's rule, checked by CreateTopics' validate-only mode too.</summary>
internal static class PartitionCounts
{
    /// <summary>Bounds one topic's partitions so a typo can't create millions of replica grains.</summary>
    public const int MaxPerTopic = 100_000;

    public static void Validate(int partitions)
    {
        if (partitions is < 1 or > MaxPerTopic)
            throw new HubException(ErrorCode.InvalidPartitions, $"partition count must be between 1 and {MaxPerTopic}, got {partitions}");
    }
}
