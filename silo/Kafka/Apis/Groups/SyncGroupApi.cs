using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>SyncGroup (key 14) v0-v5 onto <see cref="IConsumerGroupGrain.SyncGroup"/>; an empty group id is INVALID_GROUP_ID.</summary>
internal sealed class SyncGroupApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.SyncGroup, minVersion: 0, maxVersion: 5, firstFlexibleVersion: 4)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var groupId = reader.ReadString();
        var generation = reader.ReadInt32();
        var memberId = reader.ReadString();
        var instanceId = version >= 3 ? reader.ReadNullableString() : null;
        string? protocolType = null, protocolName = null;
        if (version >= 5)
        {
            protocolType = reader.ReadNullableString();
            protocolName = reader.ReadNullableString();
        }
        var count = reader.ReadNonNullArrayLength();
        var assignments = new MemberAssignment[count];
        for (var i = 0; i < count; i++)
        {
            var member = reader.ReadString();
            var bytes = reader.ReadBytes().ToArray();
            reader.SkipTaggedFields();
            assignments[i] = new MemberAssignment(member, bytes);
        }
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        SyncGroupResult? result = null;
        if (groupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else
        {
            try
            {
                await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
                result = await grains.GetGrain<IConsumerGroupGrain>(groupId).SyncGroup(new SyncGroupRequest
                {
                    GenerationId = generation,
                    MemberId = memberId,
                    GroupInstanceId = instanceId,
                    ProtocolType = protocolType,
                    ProtocolName = protocolName,
                    Assignments = assignments,
                });
            }
            catch (Exception e)
            {
                error = KafkaErrors.CodeOf(e);
            }
        }

        if (version >= 1) response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        if (version >= 5)
        {
            response.WriteNullableString(result?.ProtocolType);
            response.WriteNullableString(result?.ProtocolName);
        }
        response.WriteBytes(result?.Assignment ?? []);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
