using Hub.Silo.Kafka.Transport;
using Hub.Silo.Kafka.Authorization;
using Hub.Security;
using Hub.Errors;
using Hub.Silo.Kafka.Metadata;
using Hub.Silo.Kafka.Protocol;
using Hub.Topics;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>DeleteTopics (key 20) v0-v6 through the cluster controller; v6 may name a topic by id instead.</summary>
internal sealed class DeleteTopicsApi(KafkaTopics topics, KafkaAuthorizer authorizer) : KafkaApi(ApiKey.DeleteTopics, minVersion: 0, maxVersion: 6, firstFlexibleVersion: 4)
{
    private sealed class TopicDeletion(string? name, Guid id)
    {
        public string? Name { get; set; } = name;
        public Guid Id { get; set; } = id;
        public ErrorCode Error { get; set; }
        public string? Message { get; set; }
    }

    public override async Task<bool> HandleAsync(KafkaRequest request, ProtocolWriter response, CancellationToken cancellationToken)
    {
        var deletions = Parse(request);
        // One controller call finds which named topics exist, however many are named: only those cost a deletion.
        var named = deletions.Where(d => d.Name is not null).Select(d => d.Name!).ToHashSet(StringComparer.Ordinal);
        var existing = named.Count == 0 ? [] : await topics.LookUpAsync(named);
        foreach (var deletion in deletions) await DeleteAsync(request.Session, deletion, existing);

        var version = request.Version;
        if (version >= 1) response.WriteInt32(0); // throttle time
        response.WriteArrayLength(deletions.Length);
        foreach (var deletion in deletions)
        {
            if (version >= 6)
            {
                response.WriteNullableString(deletion.Name);
                response.WriteUuid(deletion.Id);
            }
            else
            {
                response.WriteString(deletion.Name ?? "");
            }
            response.WriteInt16((short)deletion.Error);
            if (version >= 5) response.WriteNullableString(deletion.Message);
            response.WriteEmptyTaggedFields();
        }
        response.WriteEmptyTaggedFields();
        return true;
    }

    private async Task DeleteAsync(KafkaSession session, TopicDeletion deletion, Dictionary<string, TopicMetadata> existingByName)
    {
        try
        {
            TopicMetadata? existing;
            if (deletion.Name is null)
            {
                existing = await topics.GetByIdAsync(deletion.Id)
                    ?? throw new HubException(ErrorCode.UnknownTopicId, $"no topic has id {deletion.Id}");
                deletion.Name = existing.Name;
            }
            else
            {
                existing = existingByName.GetValueOrDefault(deletion.Name);
            }
            await authorizer.RequireTopicAsync(session, AclOperation.Delete, deletion.Name);
            if (existing is null) throw new HubException(ErrorCode.UnknownTopicOrPartition, $"topic '{deletion.Name}' does not exist");
            if (deletion.Id == Guid.Empty) deletion.Id = existing.TopicId;
            if (existing.TopicId != deletion.Id)
                throw new HubException(ErrorCode.UnknownTopicId, $"topic '{deletion.Name}' has another id than {deletion.Id}");
            await topics.Controller.DeleteTopic(deletion.Name);
        }
        catch (Exception e)
        {
            deletion.Error = KafkaErrors.CodeOf(e);
            deletion.Message = e.Message;
        }
        finally
        {
            if (deletion.Name is not null) topics.Forget(deletion.Name);
        }
    }

    private static TopicDeletion[] Parse(KafkaRequest request)
    {
        var reader = request.Reader();
        var deletions = new TopicDeletion[reader.ReadNonNullArrayLength()];
        for (var i = 0; i < deletions.Length; i++)
        {
            if (request.Version >= 6)
            {
                var name = reader.ReadNullableString();
                var id = reader.ReadUuid();
                if (name is null && id == Guid.Empty) throw new KafkaProtocolException("topic to delete has neither a name nor an id");
                reader.SkipTaggedFields();
                deletions[i] = new TopicDeletion(name, id);
            }
            else
            {
                deletions[i] = new TopicDeletion(reader.ReadString(), Guid.Empty);
            }
        }
        reader.ReadInt32(); // timeout: the controller answers once the metadata is durable
        reader.SkipTaggedFields();
        return deletions;
    }
}
