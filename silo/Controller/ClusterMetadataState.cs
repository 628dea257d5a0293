using Hub.Quotas;
using Hub.Topics;

// Stored by name: the silo's JSON grain storage writes this type's full name ("$type") into every state file
// and Redis entry, and resolves it on read, so the type keeps the namespace it was first stored under.
namespace Hub.Silo.Grains;

/// <summary>The controller's durable state: every topic by name, and the client quotas.</summary>
[GenerateSerializer]
internal sealed class ClusterMetadataState
{
    [Id(0)]
    public Dictionary<string, TopicMetadata> Topics { get; set; } = new(StringComparer.Ordinal);

    [Id(1)]
    public List<ClientQuota> Quotas { get; set; } = [];
}
