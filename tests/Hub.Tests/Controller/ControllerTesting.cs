using Hub.Topics;

namespace Hub.Tests.Controller;

/// <summary>Metadata as the controller policies take it, built tersely.</summary>
internal static class ControllerTesting
{
    public static TopicMetadata Topic(string name, params PartitionAssignment[] partitions) =>
        new(name, Guid.NewGuid(), TopicConfig.Default, DateTimeOffset.UnixEpoch, partitions);

    public static HashSet<int> Live(params int[] brokers) => [.. brokers];
}
