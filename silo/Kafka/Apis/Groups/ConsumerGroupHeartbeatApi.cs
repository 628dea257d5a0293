using Hub.Errors;
using Hub.Grains;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Protocol;
using Microsoft.Extensions.Logging;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// ConsumerGroupHeartbeat (key 68) v0-1, KIP-848's one call of the consumer group protocol, onto
/// <see cref="IConsumerGroupGrain.ConsumerGroupHeartbeat"/>. v1 (Kafka 4.0, what librdkafka needs) adds the topic regex.
/// READ on the group is required, as for JoinGroup. An empty group id is INVALID_REQUEST, as Kafka answers.
/// </summary>
internal sealed partial class ConsumerGroupHeartbeatApi(IGrainFactory grains, KafkaAuthorizer authorizer, ILogger<ConsumerGroupHeartbeatApi> logger)
    : KafkaApi(ApiKey.ConsumerGroupHeartbeat, minVersion: 0, maxVersion: 1, firstFlexibleVersion: 0)
{
    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var reader = request.Reader();
        var groupId = reader.ReadString();
        var heartbeat = new ConsumerGroupHeartbeatRequest
        {
            MemberId = reader.ReadString(),
            MemberEpoch = reader.ReadInt32(),
            InstanceId = reader.ReadNullableString(),
            RackId = reader.ReadNullableString(),
            RebalanceTimeoutMs = reader.ReadInt32(),
            SubscribedTopicNames = ReadStrings(ref reader),
            SubscribedTopicRegex = request.Version >= 1 ? reader.ReadNullableString() : null,
            ServerAssignor = reader.ReadNullableString(),
            OwnedPartitions = ReadTopicPartitions(ref reader),
            ClientId = request.Header.ClientId ?? "",
            ClientHost = JoinGroupApi.ClientHost(request.Session.Remote),
        };
        reader.SkipTaggedFields();

        ConsumerGroupHeartbeatResult? result = null;
        ErrorCode error;
        string? message = null;
        try
        {
            if (groupId.Length == 0) throw new HubException(ErrorCode.InvalidRequest, "GroupId can't be empty");
            await authorizer.RequireGroupAsync(request.Session, AclOperation.Read, groupId);
            result = await grains.GetGrain<IConsumerGroupGrain>(groupId).ConsumerGroupHeartbeat(heartbeat);
            error = ErrorCode.None;
        }
        catch (Exception e)
        {
            error = KafkaErrors.CodeOf(e);
            message = (e as HubException)?.Message;
            // Clients treat INVALID_REQUEST as fatal and don't show why: the silo's log does.
            if (error == ErrorCode.InvalidRequest) LogRefused(groupId, heartbeat.MemberId, heartbeat.MemberEpoch, request.Header.ClientId, message);
        }

        response.WriteInt32(0); // throttle time
        response.WriteInt16((short)error);
        response.WriteNullableString(message);
        response.WriteNullableString(result?.MemberId);
        response.WriteInt32(result?.MemberEpoch ?? 0);
        response.WriteInt32(result?.HeartbeatIntervalMs ?? 0);
        if (result?.Assignment is { } assignment)
        {
            response.WriteInt8(1); // a nullable struct that is there
            WriteTopicPartitions(response, assignment);
            response.WriteEmptyTaggedFields();
        }
        else
        {
            response.WriteInt8(-1);
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ConsumerGroupHeartbeat of group {Group}, member {Member} at epoch {Epoch} (client {Client}) refused: {Reason}")]
    private partial void LogRefused(string group, string member, int epoch, string? client, string? reason);

    private static string[]? ReadStrings(ref ProtocolReader reader)
    {
        var count = reader.ReadArrayLength();
        if (count < 0) return null;
        var values = new string[count];
        for (var i = 0; i < count; i++) values[i] = reader.ReadString();
        return values;
    }

    private static TopicIdPartitions[]? ReadTopicPartitions(ref ProtocolReader reader)
    {
        var count = reader.ReadArrayLength();
        if (count < 0) return null;
        var topics = new TopicIdPartitions[count];
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadUuid();
            var partitions = new int[reader.ReadNonNullArrayLength()];
            for (var p = 0; p < partitions.Length; p++) partitions[p] = reader.ReadInt32();
            reader.SkipTaggedFields();
            topics[i] = new TopicIdPartitions(id, partitions);
        }
        return topics;
    }

    private static void WriteTopicPartitions(ProtocolWriter response, TopicIdPartitions[] topics)
    {
        response.WriteArrayLength(topics.Length);
        foreach (var topic in topics)
        {
            response.WriteUuid(topic.TopicId);
            response.WriteArrayLength(topic.Partitions.Length);
            foreach (var partition in topic.Partitions) response.WriteInt32(partition);
            response.WriteEmptyTaggedFields();
        }
    }
}
