using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// DescribeGroups (key 15) v0-v5 onto <see cref="IConsumerGroupGrain.Describe"/>: an unknown group is Dead
/// with no members; an empty group id is INVALID_GROUP_ID. Authorized operations (v3+) are not computed
/// (Kafka's "not requested" value, int32 min).
/// </summary>
internal sealed class DescribeGroupsApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.DescribeGroups, minVersion: 0, maxVersion: 5, firstFlexibleVersion: 5)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var count = reader.ReadNonNullArrayLength();
        var ids = new string[count];
        for (var i = 0; i < count; i++) ids[i] = reader.ReadString();
        if (version >= 3) reader.ReadBool(); // include authorized operations
        reader.SkipTaggedFields();

        var results = await Task.WhenAll(ids.Select(id => Describe(request.Session, id)));

        if (version >= 1) response.WriteInt32(0); // throttle time
        response.WriteArrayLength(results.Length);
        foreach (var (error, group) in results)
        {
            response.WriteInt16((short)error);
            response.WriteString(group.GroupId);
            response.WriteString(group.State.ToString());
            response.WriteString(group.ProtocolType);
            response.WriteString(group.ProtocolName);
            response.WriteArrayLength(group.Members.Length);
            foreach (var member in group.Members)
            {
                response.WriteString(member.MemberId);
                if (version >= 4) response.WriteNullableString(member.GroupInstanceId);
                response.WriteString(member.ClientId);
                response.WriteString(member.ClientHost);
                response.WriteBytes(member.Metadata);
                response.WriteBytes(member.Assignment);
                response.WriteEmptyTaggedFields();
            }
            if (version >= 3) response.WriteInt32(KafkaAuthorizer.OperationsNotRequested);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<(ErrorCode, GroupDescription)> Describe(KafkaSession session, string groupId)
    {
        var empty = new GroupDescription(groupId, GroupState.Dead, "", "", -1, "", []);
        if (groupId.Length == 0) return (ErrorCode.InvalidGroupId, empty);
        try
        {
            await authorizer.RequireGroupAsync(session, AclOperation.Describe, groupId);
            return (ErrorCode.None, await grains.GetGrain<IConsumerGroupGrain>(groupId).Describe());
        }
        catch (Exception e)
        {
            return (KafkaErrors.CodeOf(e), empty);
        }
    }
}
