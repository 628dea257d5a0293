namespace Hub.Silo.Kafka.Protocol;

/// <summary>
/// A request's header. v1 is api key, api version, correlation id and a nullable client id (always an int16
/// string, even in flexible requests); v2, used by flexible API versions, adds a tagged-field section.
/// </summary>
internal readonly record struct RequestHeader(ApiKey ApiKey, short ApiVersion, int CorrelationId, string? ClientId)
{
    /// <summary>Bytes of the fields every header version starts with: api key, api version, correlation id.</summary>
    public const int FixedPrefixSize = 8;

    /// <summary>Reads the fields common to every header version.</summary>
    public static (short ApiKey, short ApiVersion, int CorrelationId) ReadPrefix(ref ProtocolReader reader) =>
        (reader.ReadInt16(), reader.ReadInt16(), reader.ReadInt32());

    /// <summary>Reads the rest of a v1 (<paramref name="flexible"/> false) or v2 header after <see cref="ReadPrefix"/>.</summary>
    public static string? ReadClientId(ref ProtocolReader reader, bool flexible)
    {
        var clientId = reader.ReadClassicNullableString();
        if (flexible)
        {
            reader.Flexible = true;
            reader.SkipTaggedFields();
        }
        return clientId;
    }
}
