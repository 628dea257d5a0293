using Hub.Silo.Kafka.Protocol;

namespace Hub.Tests.Kafka;

/// <summary>
/// Decodes a body by a message definition at one version, strictly: every field the version has, in order, with
/// nulls only where the version allows them, tagged fields only with tags the definition gives, each exactly its
/// declared size, and no bytes left over. A mismatch throws <see cref="InvalidDataException"/> naming the field's
/// path. The result is the decoded tree: a struct is a dictionary by field name, an array a list.
/// </summary>
internal static class SchemaResponseDecoder
{
    public static Dictionary<string, object?> Decode(MessageSchema schema, short version, ReadOnlyMemory<byte> body)
    {
        var reader = new ProtocolReader(body, schema.FlexibleVersions.Contains(version));
        var result = DecodeStruct(ref reader, schema, schema.Fields, version, schema.Name);
        if (reader.Remaining != 0)
            throw new InvalidDataException($"{reader.Remaining} bytes left over after the {schema.Name} (of {body.Length})");
        return result;
    }

    /// <summary>Decodes a body that is followed by more (a response header): the tree and the bytes after it.</summary>
    public static (Dictionary<string, object?> Value, ReadOnlyMemory<byte> After) DecodePrefix(MessageSchema schema, short version, ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtocolReader(bytes, schema.FlexibleVersions.Contains(version));
        var result = DecodeStruct(ref reader, schema, schema.Fields, version, schema.Name);
        return (result, reader.Rest);
    }

    private static Dictionary<string, object?> DecodeStruct(ref ProtocolReader reader, MessageSchema schema, IReadOnlyList<MessageField> fields, short version, string path)
    {
        var result = new Dictionary<string, object?>();
        foreach (var field in fields.Where(f => f.Versions.Contains(version) && !f.IsTaggedIn(version)))
            result[field.Name] = DecodeField(ref reader, schema, field, version, $"{path}.{field.Name}");
        if (reader.Flexible) DecodeTaggedFields(ref reader, schema, fields, version, path, result);
        return result;
    }

    private static void DecodeTaggedFields(ref ProtocolReader reader, MessageSchema schema, IReadOnlyList<MessageField> fields, short version, string path, Dictionary<string, object?> result)
    {
        var count = ReadOrFail(ref reader, path + " (tagged field count)");
        var lastTag = -1L;
        for (var i = 0; i < count; i++)
        {
            var tag = ReadOrFail(ref reader, path + " (tag)");
            if (tag <= lastTag) throw new InvalidDataException($"{path}: tag {tag} after tag {lastTag} (tags must ascend)");
            lastTag = tag;
            var size = ReadOrFail(ref reader, $"{path} (size of tag {tag})");
            var field = fields.SingleOrDefault(f => f.Tag == tag && f.Versions.Contains(version) && f.IsTaggedIn(version))
                ?? throw new InvalidDataException($"{path}: tag {tag}, which the definition has no field for in v{version}");
            var start = reader.Position;
            result[field.Name] = DecodeField(ref reader, schema, field, version, $"{path}.{field.Name}");
            if (reader.Position - start != size)
                throw new InvalidDataException($"{path}.{field.Name}: tagged field declared {size} bytes but its value took {reader.Position - start}");
        }
    }

    private static uint ReadOrFail(ref ProtocolReader reader, string what)
    {
        try
        {
            return reader.ReadUVarint();
        }
        catch (KafkaProtocolException e)
        {
            throw new InvalidDataException($"{what}: {e.Message}");
        }
    }

    private static object? DecodeField(ref ProtocolReader reader, MessageSchema schema, MessageField field, short version, string path)
    {
        var nullable = field.NullableVersions.Contains(version);
        try
        {
            if (field.IsArray)
            {
                var count = reader.ReadArrayLength();
                if (count < 0) return nullable ? null : throw new InvalidDataException($"{path}: null array, not nullable in v{version}");
                var elements = new List<object?>(count);
                var structFields = schema.StructFields(field);
                for (var i = 0; i < count; i++)
                {
                    elements.Add(structFields is null
                        ? DecodeValue(ref reader, schema, field, field.ElementType, nullable: false, version, $"{path}[{i}]")
                        : DecodeStruct(ref reader, schema, structFields, version, $"{path}[{i}]"));
                }
                return elements;
            }
            return DecodeValue(ref reader, schema, field, field.Type, nullable, version, path);
        }
        catch (KafkaProtocolException e)
        {
            throw new InvalidDataException($"{path} ({field.Type}, v{version}): {e.Message}");
        }
    }

    private static object? DecodeValue(ref ProtocolReader reader, MessageSchema schema, MessageField field, string type, bool nullable, short version, string path)
    {
        switch (type)
        {
            case "bool": return reader.ReadBool();
            case "int8": return reader.ReadInt8();
            case "int16": return reader.ReadInt16();
            case "uint16": return (ushort)reader.ReadInt16();
            case "int32": return reader.ReadInt32();
            case "int64": return reader.ReadInt64();
            case "float64": return reader.ReadFloat64();
            case "uuid": return reader.ReadUuid();
            case "string":
                var text = reader.ReadNullableString();
                return text is null && !nullable ? throw new InvalidDataException($"{path}: null string, not nullable in v{version}") : text;
            case "bytes" or "records":
                var bytes = reader.ReadNullableBytes();
                return bytes is null && !nullable ? throw new InvalidDataException($"{path}: null bytes, not nullable in v{version}") : bytes;
        }
        var fields = schema.StructFields(field) ?? throw new InvalidDataException($"{path}: type {type} is neither a primitive nor a struct of the definition");
        if (nullable)
        {
            // A nullable struct carries a marker: -1 for null, 1 for present.
            var marker = reader.ReadInt8();
            if (marker == -1) return null;
            if (marker != 1) throw new InvalidDataException($"{path}: nullable struct marker {marker}, neither -1 nor 1");
        }
        return DecodeStruct(ref reader, schema, fields, version, path);
    }
}
