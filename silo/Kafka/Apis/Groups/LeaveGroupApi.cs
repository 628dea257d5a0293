using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// LeaveGroup (key 13) v0-v5 onto <see cref="IConsumerGroupGrain.LeaveGroup"/>: one member before v3, a batch
/// of members (with per-member errors) from v3, a reason per member from v5. An empty group id is INVALID_GROUP_ID.
/// </summary>
internal sealed class LeaveGroupApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.LeaveGroup, minVersion: 0, maxVersion: 5, firstFlexibleVersion: 4)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var groupId = reader.ReadString();
        var members = new List<LeaveGroupMember>();
        string? reason = null;
        if (version <= 2)
        {
            members.Add(new LeaveGroupMember(reader.ReadString()));
        }
        else
        {
            var count = reader.ReadNonNullArrayLength();
            for (var i = 0; i < count; i++)
            {
                var memberId = reader.ReadString();
                var instanceId = reader.ReadNullableString();
                var memberReason = version >= 5 ? reader.ReadNullableString() : null;
                reason ??= memberReason;
                reader.SkipTaggedFields();
                members.Add(new LeaveGroupMember(memberId, instanceId));
            }
        }
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        var errors = new ErrorCode[members.Count];
        if (groupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else
        {
            try
            {
                await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
                errors = await grains.GetGrain<IConsumerGroupGrain>(groupId).LeaveGroup(members.ToArray(), reason);
                // Before v3 the single member's error is the response's.
                if (version <= 2 && errors.Length == 1) error = errors[0];
            }
            catch (Exception e)
            {
                error = KafkaErrors.CodeOf(e);
            }
        }

        if (version >= 1) response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        if (version >= 3)
        {
            var written = error == ErrorCode.None ? members.Count : 0;
            response.WriteArrayLength(written);
            for (var i = 0; i < written; i++)
            {
                response.WriteString(members[i].MemberId);
                response.WriteNullableString(members[i].GroupInstanceId);
                response.WriteInt16((short)errors[i]);
                response.WriteEmptyTaggedFields();
            }
        }
        response.WriteEmptyTaggedFields();
        return true;
    }
}
