using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using System.Globalization;
using Hub.Errors;
using Hub.Silo.Configuration;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Topics;
using Hub.Topics;
using Microsoft.Extensions.Options;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// DescribeConfigs (key 32) v0-v4: a topic's configs, every one Kafka knows (Kafka names, from its metadata), with
/// their synonyms when asked; for a broker the few broker settings that shape what clients may do. Documentation is
/// not kept, so it comes back null even when asked for.
/// </summary>
internal sealed class DescribeConfigsApi(KafkaTopics topics, KafkaAuthorizer authorizer, IOptions<HubSiloOptions> options) : KafkaApi(ApiKey.DescribeConfigs, minVersion: 0, maxVersion: 4, firstFlexibleVersion: 4)
{
    private sealed class Resource(sbyte type, string name, string[]? keys) : ConfigResource(type, name)
    {
        public string[]? Keys { get; } = keys;
        public IReadOnlyList<ConfigEntry> Configs { get; set; } = [];
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (resources, includeSynonyms) = Parse(request);
        foreach (var resource in resources) await AuthorizeAsync(request.Session, resource);
        // One controller call for every topic named, however many: no per-name fan-out (Metadata's rule).
        var named = resources.Where(r => r.Type == ConfigResource.TopicType && r.Error == ErrorCode.None).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var found = named.Count == 0 ? [] : await topics.LookUpAsync(named);
        foreach (var resource in resources.Where(r => r.Error == ErrorCode.None)) Describe(resource, found);

        var version = request.Version;
        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(resources.Length);
        foreach (var resource in resources)
        {
            resource.WriteOutcome(response);
            var configs = resource.Keys is null ? resource.Configs : resource.Configs.Where(c => resource.Keys.Contains(c.Name)).ToArray();
            response.WriteArrayLength(configs.Count);
            foreach (var config in configs)
            {
                response.WriteString(config.Name);
                response.WriteNullableString(config.Value);
                response.WriteBool(config.ReadOnly);
                if (version == 0) response.WriteBool(config.ConfigSource == ConfigEntry.Source.DefaultConfig);
                else response.WriteInt8((sbyte)config.ConfigSource);
                response.WriteBool(false); // is sensitive
                if (version >= 1) WriteSynonyms(response, includeSynonyms ? config.Synonyms : []);
                if (version >= 3)
                {
                    response.WriteInt8((sbyte)config.ConfigType);
                    response.WriteNullableString(null); // documentation
                }
                response.WriteEmptyTaggedFields();
            }
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private static void WriteSynonyms(ProtocolWriter response, IReadOnlyList<ConfigEntry.Synonym> synonyms)
    {
        response.WriteArrayLength(synonyms.Count);
        foreach (var synonym in synonyms)
        {
            response.WriteString(synonym.Name);
            response.WriteNullableString(synonym.Value);
            response.WriteInt8((sbyte)synonym.ConfigSource);
            response.WriteEmptyTaggedFields();
        }
    }

    private async Task AuthorizeAsync(KafkaSession session, Resource resource)
    {
        try
        {
            if (resource.Type == ConfigResource.TopicType) await authorizer.RequireTopicAsync(session, AclOperation.DescribeConfigs, resource.Name);
            else await authorizer.RequireClusterAsync(session, AclOperation.DescribeConfigs);
        }
        catch (Exception e)
        {
            resource.Fail(e);
        }
    }

    private void Describe(Resource resource, Dictionary<string, TopicMetadata> topicsFound)
    {
        try
        {
            resource.Configs = resource.Type switch
            {
                ConfigResource.TopicType => ConfigEntry.ForTopic((topicsFound.GetValueOrDefault(resource.Name)
                    ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{resource.Name}' does not exist"))),
                ConfigResource.BrokerType => BrokerConfigs(resource.Name),
                _ => throw new HubException(ErrorCode.InvalidRequest, $"resource type {resource.Type} has no configs in Hub"),
            };
        }
        catch (Exception e)
        {
            resource.Fail(e);
        }
    }

    /// <summary>Read-only: they are set in the silo's configuration, not through Kafka's admin APIs.</summary>
    private IReadOnlyList<ConfigEntry> BrokerConfigs(string name)
    {
        if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var brokerId) && name.Length > 0)
            throw new HubException(ErrorCode.InvalidRequest, $"broker resource name must be a broker id, got '{name}'");
        var settings = options.Value;
        string S(long value) => value.ToString(CultureInfo.InvariantCulture);
        const ConfigEntry.Source source = ConfigEntry.Source.StaticBrokerConfig;
        return
        [
            new("auto.create.topics.enable", settings.AutoCreateTopics ? "true" : "false", source, KafkaConfigType.Boolean, ReadOnly: true),
            new("broker.id", S(name.Length > 0 ? brokerId : settings.BrokerId), source, KafkaConfigType.Int, ReadOnly: true),
            // What a topic created with -1 gets, at most: one replica per live broker below that.
            new("default.replication.factor", S(Controller.ReplicaPlacement.DefaultReplicationFactor), source, KafkaConfigType.Int, ReadOnly: true),
            new("message.max.bytes", S(TopicConfig.Default.MaxMessageBytes), source, KafkaConfigType.Int, ReadOnly: true),
            new("num.partitions", S(settings.DefaultTopicPartitions), source, KafkaConfigType.Int, ReadOnly: true),
            new("socket.request.max.bytes", S(settings.KafkaMaxRequestBytes), source, KafkaConfigType.Int, ReadOnly: true),
        ];
    }

    private static (Resource[] Resources, bool IncludeSynonyms) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var resources = new Resource[reader.ReadNonNullArrayLength()];
        for (var i = 0; i < resources.Length; i++)
        {
            var type = reader.ReadInt8();
            var name = reader.ReadString();
            var keyCount = reader.ReadArrayLength();
            string[]? keys = null;
            if (keyCount >= 0)
            {
                keys = new string[keyCount];
                for (var k = 0; k < keyCount; k++) keys[k] = reader.ReadString();
            }
            reader.SkipTaggedFields();
            resources[i] = new Resource(type, name, keys);
        }
        var includeSynonyms = request.Version >= 1 && reader.ReadBool();
        if (request.Version >= 3) reader.ReadBool(); // include documentation
        reader.SkipTaggedFields();
        return (resources, includeSynonyms);
    }
}
