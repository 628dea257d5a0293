using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// FindCoordinator (key 10) v0-v4: every group's coordinator is this silo's broker, since any silo reaches any
/// consumer group grain through Orleans, and the same holds for transaction coordinators (key type 1, a
/// transactional id's grain). v4 answers a batch of keys.
/// </summary>
internal sealed class FindCoordinatorApi(KafkaBrokers brokers, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.FindCoordinator, minVersion: 0, maxVersion: 4, firstFlexibleVersion: 3)
{
    private const sbyte GroupKeyType = 0;
    private const sbyte TransactionKeyType = 1;

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var keys = new List<string>();
        if (version <= 3) keys.Add(reader.ReadString());
        sbyte keyType = version >= 1 ? reader.ReadInt8() : (sbyte)0;
        if (version >= 4)
        {
            var count = reader.ReadNonNullArrayLength();
            for (var i = 0; i < count; i++) keys.Add(reader.ReadString());
        }
        reader.SkipTaggedFields();

        var local = brokers.Local(request.Session.Listener) ?? throw new InvalidOperationException($"no listener {request.Session.Listener} on this silo");
        var answers = new List<(string Key, ErrorCode Error, string? Message)>();
        foreach (var key in keys)
        {
            if (keyType == TransactionKeyType)
            {
                answers.Add(await authorizer.AllowsTransactionalIdAsync(request.Session, AclOperation.Describe, key)
                    ? (key, ErrorCode.None, null)
                    : (key, ErrorCode.TransactionalIdAuthorizationFailed, $"{request.Session.Principal} may not DESCRIBE transactional id '{key}'"));
            }
            else if (keyType != GroupKeyType) answers.Add((key, ErrorCode.InvalidRequest, $"unknown coordinator key type {keyType}"));
            else if (!await authorizer.AllowsGroupAsync(request.Session, AclOperation.Describe, key))
                answers.Add((key, ErrorCode.GroupAuthorizationFailed, $"{request.Session.Principal} may not DESCRIBE group '{key}'"));
            else answers.Add((key, ErrorCode.None, null));
        }
        if (version >= 1) response.WriteInt32(0); // throttle time
        if (version <= 3)
        {
            var (_, error, message) = answers[0];
            response.WriteInt16((short)error);
            if (version >= 1) response.WriteNullableString(message);
            WriteCoordinator(response, error == ErrorCode.None ? local : null);
        }
        else
        {
            response.WriteArrayLength(answers.Count);
            foreach (var (key, error, message) in answers)
            {
                response.WriteString(key);
                WriteCoordinator(response, error == ErrorCode.None ? local : null);
                response.WriteInt16((short)error);
                response.WriteNullableString(message);
                response.WriteEmptyTaggedFields();
            }
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>The coordinator's id, host and port, or -1, "" and -1 when there is none to name.</summary>
    private static void WriteCoordinator(ProtocolWriter response, BrokerEndpoint? coordinator)
    {
        response.WriteInt32(coordinator?.BrokerId ?? -1);
        response.WriteString(coordinator?.Host ?? "");
        response.WriteInt32(coordinator?.Port ?? -1);
    }
}
