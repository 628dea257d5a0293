using Hub.Partitions;
using Hub.Topics;

namespace Hub.Client;

/// <summary>A topic's metadata and the state of each partition's leader replica, by partition number.</summary>
public sealed record TopicDescription(TopicMetadata Metadata, IReadOnlyList<PartitionState> Partitions);
