using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Groups;

/// <summary>
/// FindCoordinator (key 10) v0-v4: every group's coordinator is this silo's broker, since any silo reaches any
/// consumer group grain through Orleans. v4 answers a batch of keys. Transaction coordinators (key type 1)
/// are not offered: COORDINATOR_NOT_AVAILABLE.
/// </summary>
internal sealed class FindCoordinatorApi(KafkaBrokers brokers) : KafkaApi(ApiKey.FindCoordinator, minVersion: 0, maxVersion: 4, firstFlexibleVersion: 3)
{
    public override Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
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
        var error = keyType == 0 ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
        string? message = error == ErrorCode.None ? null : "Hub offers no transaction coordinator";
        if (version >= 1) response.WriteInt32(0); // throttle time
        if (version <= 3)
        {
            response.WriteInt16((short)error);
            if (version >= 1) response.WriteNullableString(message);
            response.WriteInt32(error == ErrorCode.None ? local.BrokerId : -1);
            response.WriteString(error == ErrorCode.None ? local.Host : "");
            response.WriteInt32(error == ErrorCode.None ? local.Port : -1);
        }
        else
        {
            response.WriteArrayLength(keys.Count);
            foreach (var key in keys)
            {
                response.WriteString(key);
                response.WriteInt32(error == ErrorCode.None ? local.BrokerId : -1);
                response.WriteString(error == ErrorCode.None ? local.Host : "");
                response.WriteInt32(error == ErrorCode.None ? local.Port : -1);
                response.WriteInt16((short)error);
                response.WriteNullableString(message);
                response.WriteEmptyTaggedFields();
            }
        }
        response.WriteEmptyTaggedFields();
        return Task.FromResult(true);
    }
}
