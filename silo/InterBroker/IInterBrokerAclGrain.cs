using Hub.Security;

namespace Hub.Silo.InterBroker;

/// <summary>What only silos ask the ACL grain: the whole set, for the copy each silo authorizes requests against.</summary>
internal interface IInterBrokerAclGrain : IGrainWithIntegerKey
{
    /// <summary>Every ACL and the version they are at; null ACLs when the caller's <paramref name="knownVersion"/> is current.</summary>
    Task<(long Version, IReadOnlyList<AclBinding>? Acls)> Snapshot(long knownVersion);
}
