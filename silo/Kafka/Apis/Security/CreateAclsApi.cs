using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>
/// CreateAcls (key 30) v1-v3: one result per ACL. Needs Alter on the cluster (CLUSTER_AUTHORIZATION_FAILED);
/// SECURITY_DISABLED while authorization is off, as Kafka answers without an authorizer.
/// </summary>
internal sealed class CreateAclsApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.CreateAcls, minVersion: 1, maxVersion: 3, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var bindings = new List<AclBinding>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
        {
            bindings.Add(new AclBinding((AclResourceType)reader.ReadInt8(), reader.ReadString(), (AclPatternType)reader.ReadInt8(),
                reader.ReadString(), reader.ReadString(), (AclOperation)reader.ReadInt8(), (AclPermission)reader.ReadInt8()));
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();

        IReadOnlyList<AclResult> results;
        if (!authorizer.Enabled) results = Refuse(bindings.Count, ErrorCode.SecurityDisabled, "authorization is off (Hub:Authorization:Enabled)");
        else if (!await authorizer.AllowsOnClusterAsync(request.Session, AclOperation.Alter))
            results = Refuse(bindings.Count, ErrorCode.ClusterAuthorizationFailed, "creating ACLs needs ALTER on the cluster");
        else
        {
            try
            {
                results = await grains.GetGrain<IAclGrain>(0).Create(bindings);
                await authorizer.RefreshAsync();
            }
            catch (Exception e)
            {
                results = Refuse(bindings.Count, KafkaErrors.CodeOf(e), e.Message);
            }
        }

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(results.Count);
        foreach (var result in results)
        {
            response.WriteInt16((short)result.Error);
            response.WriteNullableString(result.Message);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private static List<AclResult> Refuse(int count, ErrorCode error, string message) =>
        Enumerable.Repeat(new AclResult(error, message, []), count).ToList();
}
