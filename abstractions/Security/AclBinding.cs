using Hub.Errors;

namespace Hub.Security;

/// <summary>
/// One ACL, Kafka's model: <see cref="Principal"/> ("User:alice", "User:*") from <see cref="Host"/> (an IP address
/// or "*") is allowed or denied <see cref="Operation"/> on the resources <see cref="ResourceType"/> and
/// <see cref="ResourceName"/> name, literally or by prefix. The cluster resource is named "kafka-cluster".
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AclBinding(
    [property: Id(0)] AclResourceType ResourceType,
    [property: Id(1)] string ResourceName,
    [property: Id(2)] AclPatternType PatternType,
    [property: Id(3)] string Principal,
    [property: Id(4)] string Host,
    [property: Id(5)] AclOperation Operation,
    [property: Id(6)] AclPermission Permission);

/// <summary>
/// Which ACLs to describe or delete: Any (or null) matches every value of a field; pattern type Match matches every
/// ACL that would apply to the named resource (its literal name, "*", and the prefixes of the name).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AclBindingFilter(
    [property: Id(0)] AclResourceType ResourceType,
    [property: Id(1)] string? ResourceName,
    [property: Id(2)] AclPatternType PatternType,
    [property: Id(3)] string? Principal,
    [property: Id(4)] string? Host,
    [property: Id(5)] AclOperation Operation,
    [property: Id(6)] AclPermission Permission)
{
    public static readonly AclBindingFilter All = new(AclResourceType.Any, null, AclPatternType.Any, null, null, AclOperation.Any, AclPermission.Any);
}

/// <summary>The outcome of creating one ACL, or of one delete filter with the ACLs it removed.</summary>
[GenerateSerializer, Immutable]
public sealed record AclResult([property: Id(0)] ErrorCode Error, [property: Id(1)] string? Message, [property: Id(2)] IReadOnlyList<AclBinding> Acls);
