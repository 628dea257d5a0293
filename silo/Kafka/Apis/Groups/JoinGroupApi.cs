using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using System.Net;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// JoinGroup (key 11) v0-v9 onto <see cref="IConsumerGroupGrain.JoinGroup"/>. v4+ members must first fetch a
/// member id (MEMBER_ID_REQUIRED); v9's skip_assignment tells a restarted static leader of a stable group not to reassign. An empty group id is INVALID_GROUP_ID.
/// </summary>
internal sealed class JoinGroupApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.JoinGroup, minVersion: 0, maxVersion: 9, firstFlexibleVersion: 6)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var groupId = reader.ReadString();
        var sessionTimeout = reader.ReadInt32();
        var rebalanceTimeout = version >= 1 ? reader.ReadInt32() : 0;
        var memberId = reader.ReadString();
        var instanceId = version >= 5 ? reader.ReadNullableString() : null;
        var protocolType = reader.ReadString();
        var count = reader.ReadNonNullArrayLength();
        var protocols = new GroupProtocol[count];
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            var metadata = reader.ReadBytes().ToArray();
            reader.SkipTaggedFields();
            protocols[i] = new GroupProtocol(name, metadata);
        }
        var reason = version >= 8 ? reader.ReadNullableString() : null;
        reader.SkipTaggedFields();

        JoinGroupResult result;
        if (groupId.Length == 0)
        {
            result = JoinGroupResult.Retry(ErrorCode.InvalidGroupId, memberId, -1);
        }
        else
        {
            try
            {
                await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
                result = await grains.GetGrain<IConsumerGroupGrain>(groupId).JoinGroup(new JoinGroupRequest
                {
                    MemberId = memberId,
                    GroupInstanceId = instanceId,
                    ClientId = request.Header.ClientId ?? "",
                    ClientHost = ClientHost(request.Session.Remote),
                    SessionTimeoutMs = sessionTimeout,
                    RebalanceTimeoutMs = rebalanceTimeout,
                    ProtocolType = protocolType,
                    Protocols = protocols,
                    RequireKnownMemberId = version >= 4,
                    Reason = reason,
                });
            }
            catch (Exception e)
            {
                result = JoinGroupResult.Retry(KafkaErrors.CodeOf(e), memberId, -1);
            }
        }

        if (version >= 2) response.WriteInt32(0); // throttle time
        response.WriteInt16((short)result.Error);
        response.WriteInt32(result.GenerationId);
        if (version >= 7)
        {
            response.WriteNullableString(result.ProtocolType);
            response.WriteNullableString(result.ProtocolName);
        }
        else
        {
            response.WriteString(result.ProtocolName ?? "");
        }
        response.WriteString(result.LeaderId);
        if (version >= 9) response.WriteBool(result.SkipAssignment);
        response.WriteString(result.MemberId);
        response.WriteArrayLength(result.Members.Length);
        foreach (var member in result.Members)
        {
            response.WriteString(member.MemberId);
            if (version >= 5) response.WriteNullableString(member.GroupInstanceId);
            response.WriteBytes(member.Metadata);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    internal static string ClientHost(EndPoint? remote) => remote switch
    {
        IPEndPoint ip => "/" + ip.Address,
        null => "",
        _ => remote.ToString() ?? "",
    };
}
