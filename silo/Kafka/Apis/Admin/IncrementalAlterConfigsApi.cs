using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// IncrementalAlterConfigs (key 44) v0-v1: SET, DELETE (back to the default), APPEND and SUBTRACT (list configs) on
/// the configs named; the others stay as they are (rules: <see cref="Topics.TopicConfigAlterations"/>). See
/// <see cref="ConfigAlterationApi"/> for the rest.
/// </summary>
internal sealed class IncrementalAlterConfigsApi(KafkaTopics topics, KafkaAuthorizer authorizer)
    : ConfigAlterationApi(ApiKey.IncrementalAlterConfigs, maxVersion: 1, firstFlexibleVersion: 1, topics, authorizer)
{
    protected override bool ReplacesAll => false;

    protected override TopicConfigAlteration ReadAlteration(ref ProtocolReader reader)
    {
        var name = reader.ReadString();
        var operation = (TopicConfigOperation)reader.ReadInt8();
        var alteration = new TopicConfigAlteration(name, operation, reader.ReadNullableString());
        reader.SkipTaggedFields();
        return alteration;
    }
}
