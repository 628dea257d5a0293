using Hub.Security;

namespace Hub.Silo.Security;

/// <summary>
/// Kafka's ACL semantics (its AclAuthorizer's): which bindings may be created, which a filter matches, and whether a
/// principal from a host may do an operation on a resource. No matching ACL denies; a matching deny wins over any
/// allow; an allow of Read, Write, Delete or Alter implies Describe, and of AlterConfigs implies DescribeConfigs.
/// </summary>
internal static class AclRules
{
    /// <summary>The one name of the cluster resource, as in Kafka.</summary>
    public const string ClusterName = "kafka-cluster";

    /// <summary>The name of a literal ACL that applies to every resource of its type, the principal of every user, and every host.</summary>
    public const string Wildcard = "*";

    private const string WildcardPrincipal = "User:*";

    /// <summary>Why a binding can't be stored, or null when it can.</summary>
    public static string? Invalid(AclBinding binding)
    {
        if (binding.ResourceType is AclResourceType.Unknown or AclResourceType.Any || !Enum.IsDefined(binding.ResourceType))
            return $"resource type {(sbyte)binding.ResourceType} is not one an ACL can name";
        if (binding.PatternType is not (AclPatternType.Literal or AclPatternType.Prefixed))
            return $"pattern type {(sbyte)binding.PatternType} is not LITERAL or PREFIXED";
        if (binding.Operation is AclOperation.Unknown or AclOperation.Any || !Enum.IsDefined(binding.Operation))
            return $"operation {(sbyte)binding.Operation} is not one an ACL can name";
        if (binding.Permission is not (AclPermission.Allow or AclPermission.Deny))
            return $"permission {(sbyte)binding.Permission} is not ALLOW or DENY";
        if (string.IsNullOrEmpty(binding.ResourceName)) return "the resource name must not be empty";
        if (binding.ResourceType == AclResourceType.Cluster && binding.ResourceName != ClusterName)
            return $"the cluster resource is named {ClusterName}";
        var colon = binding.Principal.IndexOf(':');
        if (colon <= 0 || colon == binding.Principal.Length - 1) return $"principal '{binding.Principal}' is not TYPE:NAME (User:alice)";
        if (string.IsNullOrEmpty(binding.Host)) return "the host must be an IP address or *";
        return null;
    }

    public static bool Matches(AclBindingFilter filter, AclBinding binding) =>
        (filter.ResourceType == AclResourceType.Any || filter.ResourceType == binding.ResourceType)
        && NameMatches(filter, binding)
        && (filter.Principal is null || filter.Principal == binding.Principal)
        && (filter.Host is null || filter.Host == binding.Host)
        && (filter.Operation == AclOperation.Any || filter.Operation == binding.Operation)
        && (filter.Permission == AclPermission.Any || filter.Permission == binding.Permission);

    private static bool NameMatches(AclBindingFilter filter, AclBinding binding) => filter.PatternType switch
    {
        AclPatternType.Any => filter.ResourceName is null || filter.ResourceName == binding.ResourceName,
        AclPatternType.Match => filter.ResourceName is null || AppliesTo(binding, filter.ResourceName),
        _ => filter.PatternType == binding.PatternType && (filter.ResourceName is null || filter.ResourceName == binding.ResourceName),
    };

    /// <summary>Whether the binding's resource pattern covers the resource <paramref name="name"/>.</summary>
    private static bool AppliesTo(AclBinding binding, string name) => binding.PatternType == AclPatternType.Prefixed
        ? name.StartsWith(binding.ResourceName, StringComparison.Ordinal)
        : binding.ResourceName == name || binding.ResourceName == Wildcard;

    /// <summary>
    /// Whether <paramref name="principal"/> from <paramref name="host"/> may do <paramref name="operation"/> on the
    /// resource, by these ACLs. A null host is one nobody knows (an SDK call, which reaches a grain without its
    /// client's address): only an allow for every host applies to it, and a deny for any host does.
    /// </summary>
    public static bool Allows(IEnumerable<AclBinding> acls, string principal, string? host, AclOperation operation, AclResourceType type, string name)
    {
        var allowed = false;
        foreach (var acl in acls)
        {
            if (acl.ResourceType != type || !AppliesTo(acl, name)) continue;
            if (acl.Principal != principal && acl.Principal != WildcardPrincipal) continue;
            if (!HostApplies(acl, host)) continue;
            if (acl.Permission == AclPermission.Deny)
            {
                if (acl.Operation == operation || acl.Operation == AclOperation.All) return false;
            }
            else if (Grants(acl.Operation, operation))
            {
                allowed = true;
            }
        }
        return allowed;
    }

    /// <summary>
    /// Whether some resource of the type would allow the operation, as Kafka's authorizeByResourceType decides it: an
    /// allow for the principal and host whose resources no deny covers whole. A literal allow is covered by a deny of
    /// the same name or of a prefix of it; a prefixed allow by a deny of a prefix of its prefix; everything by a deny
    /// of "*" or of the empty prefix. (A literal deny narrower than a prefixed allow leaves the rest of the prefix.)
    /// </summary>
    public static bool AllowsSome(IReadOnlyList<AclBinding> acls, string principal, string? host, AclOperation operation, AclResourceType type)
    {
        bool Applies(AclBinding acl) => acl.ResourceType == type
            && (acl.Principal == principal || acl.Principal == WildcardPrincipal) && HostApplies(acl, host);
        var denies = acls.Where(a => Applies(a) && a.Permission == AclPermission.Deny && (a.Operation == operation || a.Operation == AclOperation.All)).ToList();
        var deniedLiterals = denies.Where(a => a.PatternType == AclPatternType.Literal).Select(a => a.ResourceName).ToHashSet(StringComparer.Ordinal);
        var deniedPrefixes = denies.Where(a => a.PatternType == AclPatternType.Prefixed).Select(a => a.ResourceName).ToList();
        if (deniedLiterals.Contains(Wildcard) || deniedPrefixes.Contains("")) return false;
        bool CoveredByDeniedPrefix(string name) => deniedPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
        return acls.Any(a => Applies(a) && a.Permission == AclPermission.Allow && Grants(a.Operation, operation)
            && !CoveredByDeniedPrefix(a.ResourceName)
            && (a.PatternType == AclPatternType.Prefixed || !deniedLiterals.Contains(a.ResourceName)));
    }

    private static bool HostApplies(AclBinding acl, string? host) =>
        acl.Host == Wildcard || (host is null ? acl.Permission == AclPermission.Deny : acl.Host == host);

    private static bool Grants(AclOperation granted, AclOperation wanted) => granted == wanted || granted == AclOperation.All || wanted switch
    {
        AclOperation.Describe => granted is AclOperation.Read or AclOperation.Write or AclOperation.Delete or AclOperation.Alter,
        AclOperation.DescribeConfigs => granted == AclOperation.AlterConfigs,
        _ => false,
    };
}
