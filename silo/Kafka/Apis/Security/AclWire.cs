using Hub.Security;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>The ACL filter and binding encodings DescribeAcls and DeleteAcls share (v1+, with the pattern type).</summary>
internal static class AclWire
{
    public static AclBindingFilter ReadFilter(ref ProtocolReader reader) => new(
        (AclResourceType)reader.ReadInt8(),
        reader.ReadNullableString(),
        (AclPatternType)reader.ReadInt8(),
        reader.ReadNullableString(),
        reader.ReadNullableString(),
        (AclOperation)reader.ReadInt8(),
        (AclPermission)reader.ReadInt8());

    /// <summary>Why a filter can't be used, or null: UNKNOWN values are Kafka's INVALID_REQUEST.</summary>
    public static string? Invalid(AclBindingFilter filter) =>
        filter.ResourceType == AclResourceType.Unknown || filter.PatternType == AclPatternType.Unknown
        || filter.Operation == AclOperation.Unknown || filter.Permission == AclPermission.Unknown
            ? "a filter must not have UNKNOWN resource type, pattern type, operation or permission"
            : null;

    /// <summary>The ACLs grouped by resource, as DescribeAcls answers them.</summary>
    public static void WriteByResource(ProtocolWriter response, IReadOnlyList<AclBinding> acls)
    {
        var resources = acls.GroupBy(a => (a.ResourceType, a.ResourceName, a.PatternType)).ToList();
        response.WriteArrayLength(resources.Count);
        foreach (var resource in resources)
        {
            response.WriteInt8((sbyte)resource.Key.ResourceType);
            response.WriteString(resource.Key.ResourceName);
            response.WriteInt8((sbyte)resource.Key.PatternType);
            response.WriteArrayLength(resource.Count());
            foreach (var acl in resource)
            {
                WriteEntry(response, acl);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
    }

    /// <summary>Who, from where, what, allowed or denied: the fields after an ACL's resource, in every ACL response.</summary>
    public static void WriteEntry(ProtocolWriter response, AclBinding acl)
    {
        response.WriteString(acl.Principal);
        response.WriteString(acl.Host);
        response.WriteInt8((sbyte)acl.Operation);
        response.WriteInt8((sbyte)acl.Permission);
    }
}
