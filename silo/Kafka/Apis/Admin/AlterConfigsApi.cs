using Hub.Silo.Kafka.Authorization;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// AlterConfigs (key 33) v0-v2, Kafka's older API: each resource's configs are its whole new set, so a config not
/// named goes back to its default, as in Kafka. See <see cref="ConfigAlterationApi"/> for the rest.
/// </summary>
internal sealed class AlterConfigsApi(KafkaTopics topics, KafkaAuthorizer authorizer)
    : ConfigAlterationApi(ApiKey.AlterConfigs, maxVersion: 2, firstFlexibleVersion: 2, topics, authorizer)
{
    protected override bool ReplacesAll => true;

    protected override TopicConfigAlteration ReadAlteration(ref ProtocolReader reader)
    {
        var alteration = new TopicConfigAlteration(reader.ReadString(), TopicConfigOperation.Set, reader.ReadNullableString());
        reader.SkipTaggedFields();
        return alteration;
    }
}
