using System.Globalization;
using Hub.Errors;
using Hub.Security;
using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Silo.Kafka.Transport;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// What AlterConfigs and IncrementalAlterConfigs share: the same resources in, one error per resource out. A
/// topic (type 2) needs ALTER_CONFIGS on it (TOPIC_AUTHORIZATION_FAILED), then the controller checks and stores the
/// changes of every topic in the request in one call (<see cref="Hub.Grains.IClusterControllerGrain.AlterTopicConfigs"/>).
/// A broker (type 4) needs ALTER_CONFIGS on the cluster; Hub's broker settings come from the silo's configuration,
/// so naming any is refused as Kafka refuses a broker config that can't be updated dynamically (INVALID_REQUEST),
/// and naming none is a change of nothing. Any other type, and a resource named twice, is INVALID_REQUEST.
/// </summary>
internal abstract class ConfigAlterationApi(ApiKey key, short maxVersion, short firstFlexibleVersion, KafkaTopics topics, KafkaAuthorizer authorizer)
    : KafkaApi(key, minVersion: 0, maxVersion, firstFlexibleVersion)
{
    private sealed class Resource(sbyte type, string name, IReadOnlyList<TopicConfigAlteration> alterations) : ConfigResource(type, name)
    {
        public IReadOnlyList<TopicConfigAlteration> Alterations { get; } = alterations;
    }

    /// <summary>Whether the request's configs are each resource's whole set (AlterConfigs) rather than changes to it.</summary>
    protected abstract bool ReplacesAll { get; }

    /// <summary>Reads one config entry of a resource (its tagged fields too).</summary>
    protected abstract TopicConfigAlteration ReadAlteration(ref ProtocolReader reader);

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (resources, validateOnly) = Parse(request);
        foreach (var twice in resources.GroupBy(r => (r.Type, r.Name)).Where(g => g.Count() > 1).SelectMany(g => g))
            twice.Fail(new HubException(ErrorCode.InvalidRequest, $"resource '{twice.Name}' of type {twice.Type} is named more than once"));
        foreach (var resource in resources.Where(r => r.Error == ErrorCode.None)) await CheckAsync(request.Session, resource);
        await AlterTopicsAsync(resources.Where(r => r.Type == ConfigResource.TopicType && r.Error == ErrorCode.None).ToArray(), validateOnly);

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(resources.Length);
        foreach (var resource in resources)
        {
            resource.WriteOutcome(response);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    /// <summary>Authorization, and what is refused before any topic is looked at.</summary>
    private async Task CheckAsync(KafkaSession session, Resource resource)
    {
        try
        {
            switch (resource.Type)
            {
                case ConfigResource.TopicType:
                    await authorizer.RequireTopicAsync(session, AclOperation.AlterConfigs, resource.Name);
                    break;
                case ConfigResource.BrokerType:
                    await authorizer.RequireClusterAsync(session, AclOperation.AlterConfigs);
                    if (resource.Name.Length > 0 && !int.TryParse(resource.Name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        throw new HubException(ErrorCode.InvalidRequest, $"broker resource name must be a broker id, got '{resource.Name}'");
                    if (resource.Alterations.Count > 0)
                        throw new HubException(ErrorCode.InvalidRequest,
                            $"cannot update these configs dynamically: {string.Join(", ", resource.Alterations.Select(a => a.Name))} (Hub's broker settings are the silo's configuration)");
                    break;
                default:
                    throw new HubException(ErrorCode.InvalidRequest, $"resource type {resource.Type} has no alterable configs in Hub");
            }
        }
        catch (Exception e)
        {
            resource.Fail(e);
        }
    }

    private async Task AlterTopicsAsync(Resource[] named, bool validateOnly)
    {
        if (named.Length == 0) return;
        try
        {
            var results = await topics.Controller.AlterTopicConfigs(
                named.Select(r => new TopicConfigChange(r.Name, r.Alterations, ReplacesAll)).ToArray(), validateOnly);
            for (var i = 0; i < named.Length; i++)
            {
                named[i].Fail(results[i].Error, results[i].Message);
                topics.Forget(named[i].Name); // the cached copy holds the old configs
            }
        }
        catch (Exception e)
        {
            foreach (var resource in named) resource.Fail(e);
        }
    }

    private (Resource[] Resources, bool ValidateOnly) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var resources = new Resource[reader.ReadNonNullArrayLength()];
        for (var i = 0; i < resources.Length; i++)
        {
            var type = reader.ReadInt8();
            var name = reader.ReadString();
            var alterations = new TopicConfigAlteration[reader.ReadNonNullArrayLength()];
            for (var c = 0; c < alterations.Length; c++) alterations[c] = ReadAlteration(ref reader);
            reader.SkipTaggedFields();
            resources[i] = new Resource(type, name, alterations);
        }
        var validateOnly = reader.ReadBool();
        reader.SkipTaggedFields();
        return (resources, validateOnly);
    }
}
