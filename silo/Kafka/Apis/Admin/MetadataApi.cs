using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using System.Text;
using Hub.Errors;
using Hub.Silo.Configuration;
using Hub.Silo.Security;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Topics;
using Hub.Topics;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// Metadata (key 3) v0-v12: brokers, and each topic's partitions with leader and replicas. Every silo can
/// serve every partition (it routes through Orleans), so a partition whose assigned broker has no live
/// listener is reported led by this broker: a "synthetic leader" that still answers correctly. Topics are
/// never auto-created (Kafka's auto.create.topics.enable=false): an unknown topic is UNKNOWN_TOPIC_OR_PARTITION.
/// </summary>
internal sealed class MetadataApi(KafkaTopics topics, KafkaBrokers brokers, KafkaAuthorizer authorizer, IOptions<HubSiloOptions> options) : KafkaApi(ApiKey.Metadata, minVersion: 0, maxVersion: 12, firstFlexibleVersion: 9)
{
    /// <summary>The operations a topic's authorized-operations bit set reports (a bit per Kafka AclOperation code).</summary>
    internal static readonly AclOperation[] TopicOperations =
    [
        AclOperation.Read, AclOperation.Write, AclOperation.Create, AclOperation.Delete, AclOperation.Alter,
        AclOperation.Describe, AclOperation.DescribeConfigs, AclOperation.AlterConfigs,
    ];

    /// <summary>The request's topics array: its entry count and where its first entry starts in the body (-1: all topics).</summary>
    private readonly record struct TopicsAsked(int Count, int Start);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var version = request.Version;
        var (asked, includeClusterOperations, includeTopicOperations, allowAutoCreation) = Parse(request);

        // A request may name millions of topics: they are read from the frame twice, once for the names to look up and
        // once to answer, so nothing is kept per name; all of them cost one controller call at most. Never from the
        // front door's cache: a Metadata answer is what clients take a new leader and epoch from, and a cached one
        // could name an older epoch than the answer before it.
        IReadOnlyList<TopicMetadata> all = [];
        var byName = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
        Dictionary<Guid, TopicMetadata> byId = [];
        if (asked.Start < 0) all = await topics.ListAsync();
        else
        {
            var (misses, anyById) = NamesAsked(request, asked);
            if (misses.Count > 0)
            {
                foreach (var (name, topic) in await topics.LookUpAsync(misses)) byName[name] = topic;
                if (allowAutoCreation && options.Value.AutoCreateTopics) await AutoCreateAsync(request.Session, misses.Where(n => !byName.ContainsKey(n)).ToList(), byName);
            }
            if (anyById) byId = (await topics.ListAsync()).ToDictionary(t => t.TopicId);
        }

        // Kafka's rule: a listing of every topic leaves out those the principal may not DESCRIBE; a topic asked for by
        // name gets TOPIC_AUTHORIZATION_FAILED, whether it exists or not.
        await authorizer.ReadyAsync();
        if (authorizer.Enabled) all = all.Where(t => authorizer.Allows(request.Session, AclOperation.Describe, AclResourceType.Topic, t.Name)).ToList();
        var live = brokers.Live(request.Session.Listener);
        if (version >= 3) response.WriteInt32(0); // throttle time
        WriteBrokers(response, live, withRack: version >= 1);
        if (version >= 2) response.WriteNullableString(options.Value.ClusterId);
        if (version >= 1) response.WriteInt32(brokers.LocalBrokerId); // controller id: any live broker will do

        if (asked.Start < 0)
        {
            response.WriteArrayLength(all.Count);
            foreach (var topic in all)
            {
                response.WriteInt16((short)ErrorCode.None);
                response.WriteString(topic.Name);
                WriteTopic(response, version, topic, live, includeTopicOperations ? request.Session : null);
            }
        }
        else
        {
            response.WriteArrayLength(asked.Count);
            var reader = EntriesReader(request, asked);
            for (var i = 0; i < asked.Count; i++)
            {
                var (id, name) = ReadEntry(ref reader, version);
                if (name is not { } bytes)
                {
                    var topic = byId.GetValueOrDefault(id);
                    if (topic is not null && !authorizer.Allows(request.Session, AclOperation.Describe, AclResourceType.Topic, topic.Name)) topic = null;
                    response.WriteInt16((short)(topic is null ? ErrorCode.UnknownTopicId : ErrorCode.None));
                    response.WriteNullableString(topic?.Name);
                    WriteTopic(response, version, topic, live, includeTopicOperations ? request.Session : null);
                    continue;
                }
                var found = Find(bytes.Span, byName);
                var error = found is not null ? ErrorCode.None : TopicNames.IsValid(bytes.Span) ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopic;
                if (authorizer.Enabled && !authorizer.Allows(request.Session, AclOperation.Describe, AclResourceType.Topic, Encoding.UTF8.GetString(bytes.Span)))
                    (found, error) = (null, ErrorCode.TopicAuthorizationFailed);
                response.WriteInt16((short)error);
                response.WriteStringBytes(bytes.Span);
                WriteTopic(response, version, found, live, includeTopicOperations ? request.Session : null);
            }
        }
        // The cluster's authorized operations, which librdkafka's DescribeCluster asks for here (KIP-700 moved them out in v11).
        if (version is >= 8 and <= 10)
            response.WriteInt32(includeClusterOperations
                ? authorizer.AuthorizedOperations(request.Session, KafkaAuthorizer.ClusterOperations, AclResourceType.Cluster, AclRules.ClusterName)
                : KafkaAuthorizer.OperationsNotRequested);
        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>
    /// Kafka's auto.create.topics.enable (see <see cref="HubSiloOptions.AutoCreateTopics"/>): each missing topic the
    /// principal may CREATE (on the cluster, or the topic) is created; one another request created meanwhile is looked
    /// up. One that can't be created stays unknown. At most <see cref="KafkaTopics.MaxNamesPerLookup"/> per request,
    /// as <see cref="NamesAsked"/> keeps no more.
    /// </summary>
    private async Task AutoCreateAsync(KafkaSession session, List<string> missing, Dictionary<string, TopicMetadata> byName)
    {
        foreach (var name in missing)
        {
            if (!await authorizer.AllowsOnClusterAsync(session, AclOperation.Create) && !await authorizer.AllowsTopicAsync(session, AclOperation.Create, name))
                continue;
            try
            {
                byName[name] = topics.Remember(await topics.Controller.CreateTopic(name, options.Value.DefaultTopicPartitions), name);
            }
            catch (HubException e) when (e.Code == ErrorCode.TopicAlreadyExists)
            {
                if (await topics.GetAsync(name) is { } existing) byName[name] = existing;
            }
            catch (HubException)
            {
                // Left unknown: the client's next Metadata request tries again.
            }
        }
    }

    /// <summary>
    /// The distinct valid names asked for, up to one more than a lookup by name takes (then every topic is listed
    /// anyway), and whether any topic is named by id. What is kept is bounded by that limit, not by the request.
    /// </summary>
    private static (HashSet<string> Names, bool AnyById) NamesAsked(KafkaRequest request, TopicsAsked asked)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var anyById = false;
        var namesByChars = names.GetAlternateLookup<ReadOnlySpan<char>>();
        var reader = EntriesReader(request, asked);
        Span<char> buffer = stackalloc char[TopicNames.MaxLength];
        for (var i = 0; i < asked.Count; i++)
        {
            var (_, name) = ReadEntry(ref reader, request.Version);
            if (name is not { } bytes)
            {
                anyById = true;
                continue;
            }
            if (!TopicNames.IsValid(bytes.Span)) continue;
            var chars = Chars(bytes.Span, buffer);
            if (names.Count <= KafkaTopics.MaxNamesPerLookup && !namesByChars.Contains(chars)) names.Add(new string(chars));
        }
        return (names, anyById);
    }

    /// <summary>The topic of a name (UTF-8) in <paramref name="found"/>; null for none or an invalid name.</summary>
    private static TopicMetadata? Find(ReadOnlySpan<byte> name, Dictionary<string, TopicMetadata> found) =>
        TopicNames.IsValid(name) && found.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(Chars(name, stackalloc char[TopicNames.MaxLength]), out var topic)
            ? topic : null;

    /// <summary>A valid (ASCII) topic name's characters, in <paramref name="buffer"/>.</summary>
    private static ReadOnlySpan<char> Chars(ReadOnlySpan<byte> name, Span<char> buffer)
    {
        Encoding.ASCII.GetChars(name, buffer);
        return buffer[..name.Length];
    }

    /// <summary>The live brokers as Metadata and DescribeCluster list them: id, host, port, (rack: none here).</summary>
    internal static void WriteBrokers(ProtocolWriter response, IReadOnlyList<BrokerEndpoint> live, bool withRack)
    {
        response.WriteArrayLength(live.Count);
        foreach (var broker in live)
        {
            response.WriteInt32(broker.BrokerId);
            response.WriteString(broker.Host);
            response.WriteInt32(broker.Port);
            if (withRack) response.WriteNullableString(null);
            response.WriteEmptyTaggedFields();
        }
    }

    /// <summary>A topic's fields after its error code and name.</summary>
    /// <param name="operationsOf">Whose authorized operations on the topic to report; null when the client didn't ask.</param>
    private void WriteTopic(ProtocolWriter response, short version, TopicMetadata? topic, IReadOnlyList<BrokerEndpoint> live, KafkaSession? operationsOf)
    {
        if (version >= 10) response.WriteUuid(topic?.TopicId ?? Guid.Empty);
        if (version >= 1) response.WriteBool(false); // is internal
        WritePartitions(response, version, topic, live);
        if (version >= 8) response.WriteInt32(operationsOf is null || topic is null ? KafkaAuthorizer.OperationsNotRequested
            : authorizer.AuthorizedOperations(operationsOf, TopicOperations, AclResourceType.Topic, topic.Name));
        response.WriteEmptyTaggedFields();
    }

    private void WritePartitions(ProtocolWriter response, short version, TopicMetadata? topic, IReadOnlyList<BrokerEndpoint> live)
    {
        if (topic is null)
        {
            response.WriteArrayLength(0);
            return;
        }
        response.WriteArrayLength(topic.PartitionCount);
        foreach (var partition in topic.Partitions)
        {
            var leader = ReportedLeader(partition, live, brokers.LocalBrokerId);
            response.WriteInt16((short)(partition.HasLeader ? ErrorCode.None : ErrorCode.LeaderNotAvailable));
            response.WriteInt32(partition.Partition);
            response.WriteInt32(leader);
            if (version >= 7) response.WriteInt32(partition.LeaderEpoch);
            WriteBrokers(response, partition.Replicas);
            WriteBrokers(response, partition.InSync);
            if (version >= 5) WriteBrokers(response, OfflineReplicas(partition, live));
            response.WriteEmptyTaggedFields();
        }
    }

    /// <summary>
    /// The leader clients are told of: any silo serves any partition, so while a leader's silo is not (yet) in this
    /// silo's view, this silo (<paramref name="localBrokerId"/>) stands in for it rather than sending clients to a broker they can't reach.
    /// </summary>
    internal static int ReportedLeader(PartitionAssignment partition, IReadOnlyList<BrokerEndpoint> live, int localBrokerId) =>
        !partition.HasLeader ? PartitionAssignment.NoLeader
            : live.Any(b => b.BrokerId == partition.Leader) ? partition.Leader : localBrokerId;

    /// <summary>The replicas whose brokers are not live.</summary>
    internal static int[] OfflineReplicas(PartitionAssignment partition, IReadOnlyList<BrokerEndpoint> live) =>
        partition.Replicas.Where(r => !live.Any(b => b.BrokerId == r)).ToArray();

    internal static void WriteBrokers(ProtocolWriter response, int[] brokerIds)
    {
        response.WriteArrayLength(brokerIds.Length);
        foreach (var id in brokerIds) response.WriteInt32(id);
    }

    /// <summary>
    /// The topics asked for (a null array, in v0 an empty one, asks for all), checked entry by entry, and whether the
    /// client allows auto-creation (always before v4, as Kafka takes it).
    /// </summary>
    private static (TopicsAsked Topics, bool IncludeClusterOperations, bool IncludeTopicOperations, bool AllowAutoCreation) Parse(KafkaRequest request)
    {
        var version = request.Version;
        var reader = request.Reader();
        var count = reader.ReadArrayLength();
        var start = reader.Position;
        for (var i = 0; i < count; i++) ReadEntry(ref reader, version);
        var asked = count < 0 || (version == 0 && count == 0) ? new TopicsAsked(0, -1) : new TopicsAsked(count, start);
        var allowAutoCreation = version < 4 || reader.ReadBool();
        var includeClusterOperations = version is >= 8 and <= 10 && reader.ReadBool();
        var includeTopicOperations = version >= 8 && reader.ReadBool();
        reader.SkipTaggedFields();
        return (asked, includeClusterOperations, includeTopicOperations, allowAutoCreation);
    }

    private static ProtocolReader EntriesReader(KafkaRequest request, TopicsAsked asked) => new(request.Body[asked.Start..], request.Flexible);

    /// <summary>One entry of the topics array: an id (v10+) and a name (null only from v12, for a topic named by id).</summary>
    private static (Guid Id, ReadOnlyMemory<byte>? Name) ReadEntry(ref ProtocolReader reader, short version)
    {
        var id = version >= 10 ? reader.ReadUuid() : Guid.Empty;
        var name = reader.ReadNullableStringBytes();
        if (name is null && (version < 12 || id == Guid.Empty))
            throw new KafkaProtocolException("metadata request topic with neither a name nor an id");
        reader.SkipTaggedFields();
        return (id, name);
    }
}
