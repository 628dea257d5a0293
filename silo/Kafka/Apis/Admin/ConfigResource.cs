using Hub.Errors;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Silo.Kafka.Apis.Admin;

/// <summary>
/// One resource named in a DescribeConfigs, AlterConfigs or IncrementalAlterConfigs request, and what became of it;
/// each API's request adds what it asks of the resource.
/// </summary>
internal class ConfigResource(sbyte type, string name)
{
    /// <summary>Kafka's ConfigResource type code of a topic.</summary>
    public const sbyte TopicType = 2;

    /// <summary>Kafka's ConfigResource type code of a broker.</summary>
    public const sbyte BrokerType = 4;

    public sbyte Type { get; } = type;

    public string Name { get; } = name;

    public ErrorCode Error { get; private set; }

    public string? Message { get; private set; }

    public void Fail(Exception e) => Fail(KafkaErrors.CodeOf(e), e.Message);

    public void Fail(ErrorCode error, string? message)
    {
        Error = error;
        Message = message;
    }

    /// <summary>Error code, message, resource type and name: how each API's answer for a resource starts.</summary>
    public void WriteOutcome(ProtocolWriter response)
    {
        response.WriteInt16((short)Error);
        response.WriteNullableString(Message);
        response.WriteInt8(Type);
        response.WriteString(Name);
    }
}
