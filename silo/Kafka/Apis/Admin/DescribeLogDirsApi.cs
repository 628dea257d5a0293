using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Log;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// DescribeLogDirs (key 35) v0-v4: this broker's one log directory and the replicas in it (see <see cref="HostedReplicas"/>)
/// with their sizes; v4 adds the volume's total and usable bytes. Needs DESCRIBE on the cluster, as in Kafka: without it
/// the answer lists nothing, with CLUSTER_AUTHORIZATION_FAILED from v3. The offset lag is 0, as Kafka's is for a current
/// (not future) log: its high watermark never exceeds its end. No future logs: Hub does not move replicas between directories.
/// An offline directory is listed with KAFKA_STORAGE_ERROR and no replicas.
/// </summary>
internal sealed class DescribeLogDirsApi(KafkaTopics topics, KafkaBrokers brokers, KafkaAuthorizer authorizer, LogDirectory logDirectory)
    : KafkaApi(ApiKey.DescribeLogDirs, minVersion: 0, maxVersion: 4, firstFlexibleVersion: 2)
{
    /// <summary>Kafka's value of the v4 volume sizes when unknown.</summary>
    private const long UnknownBytes = -1;

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var asked = Parse(request);
        var allowed = await authorizer.AllowsOnClusterAsync(request.Session, AclOperation.Describe);
        response.WriteInt32(0); // throttle time
        if (version >= 3) response.WriteInt16((short)(allowed ? ErrorCode.None : ErrorCode.ClusterAuthorizationFailed));
        if (!allowed)
        {
            response.WriteArrayLength(0);
            response.WriteEmptyTaggedFields();
            return true;
        }

        var offline = logDirectory.IsOffline;
        var hosted = offline ? [] : HostedReplicas.Of(logDirectory.Path, brokers.LocalBrokerId, await topics.ListAsync(), asked);
        var path = Path.GetFullPath(logDirectory.Path);
        response.WriteArrayLength(1);
        response.WriteInt16((short)(offline ? ErrorCode.KafkaStorageError : ErrorCode.None));
        response.WriteString(path);
        response.WriteArrayLength(hosted.Count);
        foreach (var (topic, replicas) in hosted)
        {
            response.WriteString(topic);
            response.WriteArrayLength(replicas.Count);
            foreach (var replica in replicas)
            {
                response.WriteInt32(replica.Partition);
                response.WriteInt64(replica.SizeBytes);
                response.WriteInt64(0); // offset lag
                response.WriteBool(false); // is future key
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        if (version >= 4)
        {
            var (total, usable) = offline ? (UnknownBytes, UnknownBytes) : VolumeBytes(path);
            response.WriteInt64(total);
            response.WriteInt64(usable);
        }
        response.WriteEmptyTaggedFields();
        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>The total and usable (free to this process) bytes of the volume holding <paramref name="path"/>.</summary>
    private static (long Total, long Usable) VolumeBytes(string path)
    {
        try
        {
            var drive = new DriveInfo(path);
            return (drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return (UnknownBytes, UnknownBytes);
        }
    }

    /// <summary>The partitions asked for by topic; null for all.</summary>
    private static Dictionary<string, HashSet<int>>? Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var count = reader.ReadArrayLength();
        if (count < 0)
        {
            reader.SkipTaggedFields();
            return null;
        }
        var asked = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var topic = reader.ReadString();
            if (!asked.TryGetValue(topic, out var partitions)) asked[topic] = partitions = [];
            for (var p = reader.ReadNonNullArrayLength(); p > 0; p--) partitions.Add(reader.ReadInt32());
            reader.SkipTaggedFields();
        }
        reader.SkipTaggedFields();
        return asked;
    }
}
