using System.Globalization;
using System.Numerics;
using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>
/// Writes a well-formed body of a message definition at one version, from the definition alone: each field gets the
/// value given for "Message.Field" or for its name (a byte[] for bytes), else its declared default, else zero, an
/// empty string or false. An array given an empty array is empty; one of strings or numbers given a value has that
/// one element; any other array is null where the version allows (many requests read null as "all": Metadata's
/// topics, OffsetFetch's), else an array of structs has one element, so the response has entries to get wrong, and
/// one of strings or numbers none (an empty filter: ListGroups' states, ListTransactions'). Tagged fields are left
/// out, which means their defaults.
/// </summary>
internal static class SchemaRequestWriter
{
    public static byte[] Write(MessageSchema schema, short version, IReadOnlyDictionary<string, object> values)
    {
        using var writer = new ProtocolWriter { Flexible = schema.FlexibleVersions.Contains(version) };
        WriteStruct(writer, schema, schema.Fields, version, values);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteStruct(ProtocolWriter writer, MessageSchema schema, IReadOnlyList<MessageField> fields, short version, IReadOnlyDictionary<string, object> values)
    {
        foreach (var field in fields.Where(f => f.Versions.Contains(version) && !f.IsTaggedIn(version)))
            WriteField(writer, schema, field, version, values);
        if (writer.Flexible) writer.WriteEmptyTaggedFields();
    }

    private static void WriteField(ProtocolWriter writer, MessageSchema schema, MessageField field, short version, IReadOnlyDictionary<string, object> values)
    {
        if (!field.IsArray)
        {
            WriteValue(writer, schema, field, field.Type, field.NullableVersions.Contains(version), version, values);
            return;
        }
        var structFields = schema.StructFields(field);
        var given = Given(schema, field, values);
        if (given is Array { Length: 0 }) writer.WriteArrayLength(0);
        else if (structFields is null && given is not null)
        {
            writer.WriteArrayLength(1);
            WriteValue(writer, schema, field, field.ElementType, nullable: false, version, values);
        }
        else if (field.NullableVersions.Contains(version)) writer.WriteArrayLength(-1);
        else if (structFields is null) writer.WriteArrayLength(0);
        else
        {
            writer.WriteArrayLength(1);
            WriteStruct(writer, schema, structFields, version, values);
        }
    }

    private static void WriteValue(ProtocolWriter writer, MessageSchema schema, MessageField field, string type, bool nullable, short version, IReadOnlyDictionary<string, object> values)
    {
        var given = Given(schema, field, values);
        var text = given is null ? field.Default : Convert.ToString(given, CultureInfo.InvariantCulture);
        switch (type)
        {
            case "bool": writer.WriteBool(text is not null && bool.Parse(text)); break;
            case "int8": writer.WriteInt8(Number<sbyte>(text)); break;
            case "int16": writer.WriteInt16(Number<short>(text)); break;
            case "uint16": writer.WriteInt16((short)Number<ushort>(text)); break;
            case "int32": writer.WriteInt32(Number<int>(text)); break;
            case "int64": writer.WriteInt64(Number<long>(text)); break;
            case "float64": writer.WriteFloat64(Number<double>(text)); break;
            case "uuid": writer.WriteUuid(text is null ? Guid.Empty : Guid.Parse(text)); break;
            // A "null" default of a field not yet nullable in this version means empty.
            case "string": writer.WriteNullableString(text == "null" ? (nullable ? null : "") : text ?? ""); break;
            case "bytes" or "records": writer.WriteNullableBytes(given as byte[] ?? (nullable ? null : Array.Empty<byte>())); break;
            // A struct: a nullable one is written null (an int8 -1 marker), any other in full.
            default:
                if (nullable) writer.WriteInt8(-1);
                else WriteStruct(writer, schema, schema.StructFields(field)!, version, values);
                break;
        }
    }

    private static object? Given(MessageSchema schema, MessageField field, IReadOnlyDictionary<string, object> values) =>
        values.GetValueOrDefault($"{schema.Name}.{field.Name}") ?? values.GetValueOrDefault(field.Name);

    /// <summary>A number field's value; defaults may be hexadecimal ("0x7fffffff").</summary>
    private static T Number<T>(string? text) where T : INumber<T> =>
        text is null ? T.Zero
        : text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? T.CreateTruncating(long.Parse(text[2..], NumberStyles.HexNumber))
        : T.Parse(text, CultureInfo.InvariantCulture);
}
