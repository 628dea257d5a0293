using Hub.Topics;

namespace Hub.Silo.Grains;

/// <summary>The controller's durable state: every topic by name.</summary>
[GenerateSerializer]
internal sealed class ClusterMetadataState
{
    [Id(0)]
    public Dictionary<string, TopicMetadata> Topics { get; set; } = new(StringComparer.Ordinal);
}
