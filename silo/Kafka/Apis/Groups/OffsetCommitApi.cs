using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Grains;
using Hub.Groups;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// OffsetCommit (key 8) v0-v9 onto <see cref="IConsumerGroupGrain.CommitOffsets"/>. The grain commits all
/// or nothing, so a refusal's error code is every partition's. v9 reads as v8; it tells the group the committer may be
/// a consumer-protocol member, whose generation field is its member epoch (STALE_MEMBER_EPOCH when not current). v1's per-partition commit timestamp and
/// v2-v4's retention time are read and ignored (the silo's retention applies). An empty group id is INVALID_GROUP_ID.
/// </summary>
internal sealed class OffsetCommitApi(IGrainFactory grains, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.OffsetCommit, minVersion: 0, maxVersion: 9, firstFlexibleVersion: 8)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var groupId = reader.ReadString();
        var generation = version >= 1 ? reader.ReadInt32() : OffsetCommitRequest.NoGeneration;
        var memberId = version >= 1 ? reader.ReadString() : "";
        var instanceId = version >= 7 ? reader.ReadNullableString() : null;
        if (version is >= 2 and <= 4) reader.ReadInt64(); // retention time
        var offsets = OffsetCommitWire.ReadOffsets(ref reader, hasLeaderEpoch: version >= 6, hasCommitTimestamp: version == 1);
        reader.SkipTaggedFields();

        var error = ErrorCode.None;
        var deniedTopics = await OffsetCommitWire.DeniedTopicsAsync(authorizer, request.Session, offsets);
        if (groupId.Length == 0)
        {
            error = ErrorCode.InvalidGroupId;
        }
        else
        {
            try
            {
                await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
                await grains.GetGrain<IConsumerGroupGrain>(groupId).CommitOffsets(new OffsetCommitRequest
                {
                    GenerationId = generation,
                    MemberId = memberId,
                    GroupInstanceId = instanceId,
                    Offsets = offsets.Where(o => !deniedTopics.Contains(o.Topic)).ToArray(),
                });
            }
            catch (Exception e)
            {
                error = KafkaErrors.CodeOf(e);
            }
        }

        if (version >= 3) response.WriteInt32(0); // throttle time
        OffsetCommitWire.WritePartitions(response, offsets, error, deniedTopics);
        return true;
    }
}
