namespace Hub.Silo.Kafka.Protocol;

/// <summary>
/// A response's header: v0 is the correlation id alone, v1 (flexible versions) adds a tagged-field section.
/// ApiVersions answers with v0 whatever its version, because a client reads it before it knows which
/// versions the broker speaks.
/// </summary>
internal static class ResponseHeader
{
    public static void Write(ProtocolWriter writer, int correlationId, bool flexible)
    {
        writer.WriteInt32(correlationId);
        if (flexible) writer.WriteUVarint(0);
    }
}
