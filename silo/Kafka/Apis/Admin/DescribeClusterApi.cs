using Hub.Errors;
using Hub.Security;
using Hub.Silo.Security;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// DescribeCluster (key 60) v0, KIP-700's cluster description for admin clients: the cluster id, a controller id (any
/// live broker will do here, as in Metadata), the live brokers of the request's listener, and, when asked, the
/// principal's authorized operations on the cluster. No ACL guards it, as in Kafka. v1 adds endpoint types
/// (brokers or KRaft controllers), which Hub does not have.
/// </summary>
internal sealed class DescribeClusterApi(KafkaBrokers brokers, KafkaAuthorizer authorizer, IOptions<HubSiloOptions> options)
    : KafkaApi(ApiKey.DescribeCluster, minVersion: 0, maxVersion: 0, firstFlexibleVersion: 0)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var includeOperations = reader.ReadBool();
        reader.SkipTaggedFields();

        await authorizer.ReadyAsync();
        var operations = includeOperations
            ? authorizer.AuthorizedOperations(request.Session, KafkaAuthorizer.ClusterOperations, AclResourceType.Cluster, AclRules.ClusterName)
            : KafkaAuthorizer.OperationsNotRequested;
        response.WriteInt32(0); // throttle time
        response.WriteInt16((short)ErrorCode.None);
        response.WriteNullableString(null); // error message
        response.WriteString(options.Value.ClusterId);
        response.WriteInt32(brokers.LocalBrokerId);
        MetadataApi.WriteBrokers(response, brokers.Live(request.Session.Listener), withRack: true);
        response.WriteInt32(operations);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
