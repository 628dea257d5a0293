using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>Heartbeat (key 12) v0-v4 onto <see cref="IConsumerGroupGrain.Heartbeat"/>; an empty group id is INVALID_GROUP_ID.</summary>
internal sealed class HeartbeatApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.Heartbeat, minVersion: 0, maxVersion: 4, firstFlexibleVersion: 4)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var groupId = reader.ReadString();
        var generation = reader.ReadInt32();
        var memberId = reader.ReadString();
        var instanceId = version >= 3 ? reader.ReadNullableString() : null;
        reader.SkipTaggedFields();

        ErrorCode error;
        if (groupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else
        {
            try
            {
                await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
                error = await grains.GetGrain<IConsumerGroupGrain>(groupId).Heartbeat(generation, memberId, instanceId);
            }
            catch (Exception e)
            {
                error = KafkaErrors.CodeOf(e);
            }
        }

        if (version >= 1) response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteEmptyTaggedFields();
        return true;
    }
}
