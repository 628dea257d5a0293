using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Security;

/// <summary>
/// DescribeAcls (key 29) v1-v3: the ACLs a filter matches, grouped by resource. Needs Describe on the cluster;
/// SECURITY_DISABLED while authorization is off.
/// </summary>
internal sealed class DescribeAclsApi(IGrainFactory grains, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.DescribeAcls, minVersion: 1, maxVersion: 3, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var filter = AclWire.ReadFilter(ref reader);
        reader.SkipTaggedFields();

        var (error, message, acls) = (ErrorCode.None, (string?)null, (IReadOnlyList<AclBinding>)[]);
        if (!authorizer.Enabled) (error, message) = (ErrorCode.SecurityDisabled, "authorization is off (Hub:Authorization:Enabled)");
        else if (!await authorizer.AllowsOnClusterAsync(request.Session, AclOperation.Describe))
            (error, message) = (ErrorCode.ClusterAuthorizationFailed, "describing ACLs needs DESCRIBE on the cluster");
        else if (AclWire.Invalid(filter) is { } invalid) (error, message) = (ErrorCode.InvalidRequest, invalid);
        else
        {
            try
            {
                acls = await grains.GetGrain<IAclGrain>(0).Describe(filter);
            }
            catch (Exception e)
            {
                (error, message) = (KafkaErrors.CodeOf(e), e.Message);
            }
        }

        response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteNullableString(message);
        AclWire.WriteByResource(response, acls);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
