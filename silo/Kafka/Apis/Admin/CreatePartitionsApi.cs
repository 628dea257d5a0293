using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Errors;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// CreatePartitions (key 37) v0-v3: grows a topic to a new total through the cluster controller, which places the new
/// partitions or takes the request's assignment of them (checked as Kafka checks it). validate_only checks the count
/// only.
/// </summary>
internal sealed class CreatePartitionsApi(KafkaTopics topics, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.CreatePartitions, minVersion: 0, maxVersion: 3, firstFlexibleVersion: 2)
{
    private sealed class Growth(string name, int count, int[][]? assignment)
    {
        public string Name { get; } = name;
        public int Count { get; } = count;
        public int[][]? Assignment { get; } = assignment;
        public ErrorCode Error { get; set; }
        public string? Message { get; set; }
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var (growths, validateOnly) = Parse(request);
        foreach (var growth in growths) await GrowAsync(request.Session, growth, validateOnly);

        response.WriteInt32(0); // throttle time
        response.WriteArrayLength(growths.Length);
        foreach (var growth in growths)
        {
            response.WriteString(growth.Name);
            response.WriteInt16((short)growth.Error);
            response.WriteNullableString(growth.Message);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task GrowAsync(KafkaSession session, Growth growth, bool validateOnly)
    {
        try
        {
            await authorizer.RequireTopicAsync(session, AclOperation.Alter, growth.Name);
            if (validateOnly)
            {
                var topic = await topics.Controller.GetTopic(growth.Name)
                    ?? throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{growth.Name}' does not exist");
                if (growth.Count <= topic.PartitionCount)
                    throw new HubException(ErrorCode.InvalidPartitions,
                        $"topic '{growth.Name}' has {topic.PartitionCount} partitions; the new count must be larger, got {growth.Count}");
                return;
            }
            topics.Remember(await topics.Controller.AddPartitions(growth.Name, growth.Count, growth.Assignment), growth.Name);
        }
        catch (Exception e)
        {
            growth.Error = KafkaErrors.CodeOf(e);
            growth.Message = e.Message;
        }
    }

    private static (Growth[] Growths, bool ValidateOnly) Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var growths = new Growth[reader.ReadNonNullArrayLength()];
        for (var i = 0; i < growths.Length; i++)
        {
            var name = reader.ReadString();
            var count = reader.ReadInt32();
            var assignments = reader.ReadArrayLength();
            var assignment = assignments < 0 ? null : new int[assignments][];
            for (var a = 0; a < assignments; a++)
            {
                var brokers = new int[reader.ReadNonNullArrayLength()];
                for (var b = 0; b < brokers.Length; b++) brokers[b] = reader.ReadInt32();
                reader.SkipTaggedFields();
                assignment![a] = brokers;
            }
            reader.SkipTaggedFields();
            growths[i] = new Growth(name, count, assignment);
        }
        reader.ReadInt32(); // timeout
        var validateOnly = reader.ReadBool();
        reader.SkipTaggedFields();
        return (growths, validateOnly);
    }
}
