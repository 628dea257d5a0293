using Hub.Security;

// Stored by name (see StoredScramCredential).
namespace Hub.Silo.Security;

/// <summary>The cluster's ACLs, and a version that grows with every stored change, so silos' copies know when they are behind.</summary>
[GenerateSerializer]
internal sealed class AclState
{
    [Id(0)] public List<AclBinding> Acls { get; set; } = [];

    [Id(1)] public long Version { get; set; }
}
