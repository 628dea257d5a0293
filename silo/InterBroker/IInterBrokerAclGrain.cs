using Hub.Security;
using Orleans.Concurrency;

namespace Hub.Silo.InterBroker;

/// <summary>What only silos ask the ACL grain: the whole set, for the copy each silo authorizes requests against.</summary>
internal interface IInterBrokerAclGrain : IGrainWithIntegerKey
{
    /// <summary>Every ACL and the version they are at; null ACLs when the caller's <paramref name="knownVersion"/> is current.</summary>
    /// <remarks>Interleaves: a gateway call's check asks it while that call holds the grain (see GatewayCallAuthorizer).</remarks>
    [AlwaysInterleave]
    Task<(long Version, IReadOnlyList<AclBinding>? Acls)> Snapshot(long knownVersion);
}
