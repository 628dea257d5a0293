using Hub.Errors;
using Hub.Groups;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// ElectLeaders (key 43) v0-v2 through the cluster controller (see <see cref="Hub.Grains.IClusterControllerGrain.ElectLeaders"/>):
/// a preferred election (v0's only kind, type 0 from v1) or, only when asked with type 1, an unclean one. Needs ALTER on
/// the cluster, as in Kafka: without it every partition named gets CLUSTER_AUTHORIZATION_FAILED (and the whole answer from v1).
/// An election type other than 0 or 1 is INVALID_REQUEST.
/// </summary>
internal sealed class ElectLeadersApi(KafkaTopics topics, KafkaAuthorizer authorizer)
    : KafkaApi(ApiKey.ElectLeaders, minVersion: 0, maxVersion: 2, firstFlexibleVersion: 2)
{
    private const sbyte Preferred = 0;
    private const sbyte Unclean = 1;

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var reader = request.Reader();
        var type = version >= 1 ? reader.ReadInt8() : Preferred;
        TopicPartition[]? asked = null;
        var count = reader.ReadArrayLength();
        if (count >= 0)
        {
            var named = new List<TopicPartition>();
            for (var t = 0; t < count; t++)
            {
                var topic = reader.ReadString();
                for (var p = reader.ReadNonNullArrayLength(); p > 0; p--) named.Add(new TopicPartition(topic, reader.ReadInt32()));
                reader.SkipTaggedFields();
            }
            asked = [.. named];
        }
        reader.ReadInt32(); // timeout: the controller answers once the new leaders are stored
        reader.SkipTaggedFields();

        var error = type is not (Preferred or Unclean) ? ErrorCode.InvalidRequest
            : !await authorizer.AllowsOnClusterAsync(request.Session, AclOperation.Alter) ? ErrorCode.ClusterAuthorizationFailed
            : ErrorCode.None;
        IReadOnlyList<LeaderElectionResult> results = error == ErrorCode.None
            ? await topics.Controller.ElectLeaders(type == Unclean, asked)
            : (asked ?? []).Distinct().Select(p => new LeaderElectionResult(p.Topic, p.Partition, error, error.ToString())).ToList();
        foreach (var elected in results.Where(r => r.Error == ErrorCode.None)) topics.Forget(elected.Topic); // its cached leader is old

        response.WriteInt32(0); // throttle time
        if (version >= 1) response.WriteInt16((short)error);
        var byTopic = results.GroupBy(r => r.Topic, StringComparer.Ordinal).ToList();
        response.WriteArrayLength(byTopic.Count);
        foreach (var topic in byTopic)
        {
            response.WriteString(topic.Key);
            response.WriteArrayLength(topic.Count());
            foreach (var result in topic)
            {
                response.WriteInt32(result.Partition);
                response.WriteInt16((short)result.Error);
                response.WriteNullableString(result.Error == ErrorCode.None ? null : result.Message ?? result.Error.ToString());
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }
}
