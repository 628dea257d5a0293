using Hub.Quotas;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Quotas;

/// <summary>A client quota entity on the wire: (entity_type, entity_name) pairs, a null name for the default.</summary>
internal static class QuotaEntityCodec
{
    public const string UserType = "user";
    public const string ClientIdType = "client-id";

    /// <summary>An entity's (type, name) pairs as the client named them.</summary>
    public static List<(string Type, string? Name)> Read(ref ProtocolReader reader)
    {
        var parts = new List<(string, string?)>();
        for (var count = reader.ReadNonNullArrayLength(); count > 0; count--)
        {
            parts.Add((reader.ReadString(), reader.ReadNullableString()));
            reader.SkipTaggedFields();
        }
        return parts;
    }

    /// <summary>The entity the pairs name, or why it is not one Hub keeps quotas for (an unknown type such as Kafka's "ip", a type twice).</summary>
    public static (ClientQuotaEntity? Entity, string? Problem) ToEntity(IReadOnlyList<(string Type, string? Name)> parts)
    {
        string? user = null, clientId = null;
        foreach (var (type, name) in parts)
        {
            if (type == UserType && user is null) user = name ?? ClientQuotaEntity.Default;
            else if (type == ClientIdType && clientId is null) clientId = name ?? ClientQuotaEntity.Default;
            else return (null, $"entity type '{type}' is unknown or named twice (Hub keeps quotas for '{UserType}' and '{ClientIdType}')");
        }
        return (new ClientQuotaEntity(user, clientId), null);
    }

    /// <summary>The entity's (type, name) pairs, a null name for a default part.</summary>
    public static IReadOnlyList<(string Type, string? Name)> Parts(ClientQuotaEntity entity) =>
        new[] { (UserType, entity.User), (ClientIdType, entity.ClientId) }.Where(p => p.Item2 is not null)
            .Select(p => (p.Item1, p.Item2 == ClientQuotaEntity.Default ? null : p.Item2)).ToArray();

    public static void Write(ProtocolWriter response, IReadOnlyList<(string Type, string? Name)> parts)
    {
        response.WriteArrayLength(parts.Count);
        foreach (var (type, name) in parts)
        {
            response.WriteString(type);
            response.WriteNullableString(name);
            response.WriteEmptyTaggedFields();
        }
    }
}
