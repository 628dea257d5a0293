using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>
/// DeleteAcls (key 31) v1-v3: deletes every ACL each filter matches and answers them. Needs Alter on the cluster;
/// SECURITY_DISABLED while authorization is off.
/// </summary>
internal sealed class DeleteAclsApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.DeleteAcls, minVersion: 1, maxVersion: 3, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var filters = new List<AclBindingFilter>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
        {
            filters.Add(AclWire.ReadFilter(ref reader));
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();

        var results = await DeleteAsync(request, filters);

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(results.Count);
        foreach (var result in results)
        {
            response.WriteInt16((short)result.Error);
            response.WriteNullableString(result.Message);
            response.WriteArrayLength(result.Acls.Count);
            foreach (var acl in result.Acls)
            {
                response.WriteInt16(0);
                response.WriteNullableString(null);
                response.WriteInt8((sbyte)acl.ResourceType);
                response.WriteString(acl.ResourceName);
                response.WriteInt8((sbyte)acl.PatternType);
                AclWire.WriteEntry(response, acl);
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<IReadOnlyList<AclResult>> DeleteAsync(KafkaRequest request, List<AclBindingFilter> filters)
    {
        if (!authorizer.Enabled) return Refuse(filters, ErrorCode.SecurityDisabled, "authorization is off (Hub:Authorization:Enabled)");
        if (!await authorizer.AllowsOnClusterAsync(request.Session, AclOperation.Alter))
            return Refuse(filters, ErrorCode.ClusterAuthorizationFailed, "deleting ACLs needs ALTER on the cluster");
        if (filters.Select(AclWire.Invalid).FirstOrDefault(p => p is not null) is { } invalid) return Refuse(filters, ErrorCode.InvalidRequest, invalid);
        try
        {
            var results = await grains.GetGrain<IAclGrain>(0).Delete(filters);
            await authorizer.RefreshAsync();
            return results;
        }
        catch (Exception e)
        {
            return Refuse(filters, KafkaErrors.CodeOf(e), e.Message);
        }
    }

    private static List<AclResult> Refuse(List<AclBindingFilter> filters, ErrorCode error, string message) =>
        filters.Select(_ => new AclResult(error, message, [])).ToList();
}
