using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// DeleteGroups (key 42) v0-v2 onto <see cref="IConsumerGroupGrain.DeleteGroup"/>, one result per group:
/// NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when there is none, INVALID_GROUP_ID for "".
/// </summary>
internal sealed class DeleteGroupsApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.DeleteGroups, minVersion: 0, maxVersion: 2, firstFlexibleVersion: 2)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var count = reader.ReadNonNullArrayLength();
        var ids = new string[count];
        for (var i = 0; i < count; i++) ids[i] = reader.ReadString();
        reader.SkipTaggedFields();

        var errors = await Task.WhenAll(ids.Select(id => Delete(request.Session, id)));

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            response.WriteString(ids[i]);
            response.WriteInt16((short)errors[i]);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task<ErrorCode> Delete(KafkaSession session, string groupId)
    {
        if (groupId.Length == 0) return ErrorCode.InvalidGroupId;
        try
        {
            await authorizer.RequireGroupAsync(session, AclOperation.Delete, groupId);
            await grains.GetGrain<IConsumerGroupGrain>(groupId).DeleteGroup();
            return ErrorCode.None;
        }
        catch (Exception e)
        {
            return KafkaErrors.CodeOf(e);
        }
    }
}
